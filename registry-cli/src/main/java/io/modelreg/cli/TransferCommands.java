package io.modelreg.cli;

import io.modelreg.CopyReport;
import io.modelreg.ModelArchive;
import io.modelreg.ModelRegistries;
import io.modelreg.ModelRegistry;
import io.modelreg.ModelVersion;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Export, import and copy: the commands over {@link ModelArchive} and {@link ModelRegistries#copy}, with progress bars. */
final class TransferCommands {
  private TransferCommands() {}

  /** Total artifact bytes of a model, for progress bars. */
  private static long totalBytes(ModelRegistry source, String name) {
    long total = 0;
    for (ModelVersion v : source.listVersions(name)) {
      total += v.manifest().totalSize();
    }
    return total;
  }

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
        Progress progress = new Progress(err(), root().ticker, "exporting", totalBytes(r, name), interactive());
        ModelArchive.export(r, name, out, progress::wrap);
        progress.finish();
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
        // every file is read twice: checked first, registered after
        Progress progress = new Progress(err(), root().ticker, "importing", 2 * Files.size(file), interactive());
        CopyReport result;
        try {
          result = ModelArchive.importInto(r, file, as, progress::wrap);
        } finally {
          progress.finish();
        }
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
        Progress progress = new Progress(err(), root().ticker, "copying", totalBytes(source, name), interactive());
        CopyReport result = ModelRegistries.copy(source, target, name, as != null ? as : name, List.of(),
            progress::wrap);
        progress.finish();
        print(reportJson(result),
            "Copied " + name + " to " + target.describe() + " (versions " + mapping(result) + ")");
      }
    }
  }
}
