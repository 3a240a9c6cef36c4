package io.modelreg.cli;

import io.modelreg.CopyReport;
import io.modelreg.ModelCopy;
import io.modelreg.ModelRegistries;
import io.modelreg.ModelRegistry;
import java.nio.file.Path;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Export, import and copy. */
final class TransferCommands {
  private TransferCommands() {}

  private static String mapping(CopyReport r) {
    StringBuilder sb = new StringBuilder();
    r.numbers().forEach((from, to) -> sb.append(sb.length() == 0 ? "" : ", ").append(from).append("→").append(to));
    for (String note : r.notCarried()) {
      sb.append(System.lineSeparator()).append("  note: ").append(note);
    }
    return sb.toString();
  }

  private static Map<String, Object> reportJson(CopyReport r) {
    return Map.of("model", r.name(), "versions", r.numbers(), "not_carried", r.notCarried());
  }

  @Command(name = "export", description = "Write a model with all its versions into one archive file.")
  static final class Export extends Base {
    @Parameters(index = "0", paramLabel = "NAME") String name;
    @Option(names = "--out", required = true, paramLabel = "FILE") Path out;

    @Override
    void run() throws Exception {
      try (ModelRegistry r = root().open()) {
        Transfer.export(r, name, out, new Progress(err(), "exporting", Transfer.totalBytes(r, name), interactive()));
        print(Map.of("model", name, "archive", out.toString()), "Exported " + name + " to " + out);
      }
    }
  }

  @Command(name = "import", description = "Register the versions of an archive; every file is verified.")
  static final class Import extends Base {
    @Parameters(index = "0", paramLabel = "FILE") Path file;
    @Option(names = "--as", paramLabel = "NAME", description = "Import under another model name") @Nullable String as;

    @Override
    void run() throws Exception {
      try (ModelRegistry r = root().open()) {
        CopyReport result = Transfer.importArchive(r, file, as,
            new Progress(err(), "importing", java.nio.file.Files.size(file), interactive()));
        print(reportJson(result),
            "Imported " + result.name() + " (versions " + mapping(result) + ")");
      }
    }
  }

  @Command(name = "copy", description = "Copy a model with its versions, stages and aliases to another registry.")
  static final class Copy extends Base {
    @Parameters(index = "0", paramLabel = "NAME") String name;
    @Option(names = "--to", required = true, paramLabel = "URI", description = "Target registry URI") String to;
    @Option(names = "--as", paramLabel = "NAME") @Nullable String as;

    @Override
    void run() {
      try (ModelRegistry source = root().open(); ModelRegistry target = ModelRegistries.open(to)) {
        Progress progress = new Progress(err(), "copying", Transfer.totalBytes(source, name), interactive());
        CopyReport result = ModelCopy.replay(target, as != null ? as : name, source.getModel(name),
            Transfer.plan(source, name, progress));
        progress.finish();
        print(reportJson(result),
            "Copied " + name + " to " + target.describe() + " (versions " + mapping(result) + ")");
      }
    }
  }
}
