package io.modelreg.cli;

import io.modelreg.Comparison;
import io.modelreg.GcReport;
import io.modelreg.Lineage;
import io.modelreg.MetricRecord;
import io.modelreg.ModelRegistry;
import io.modelreg.ModelUri;
import io.modelreg.ModelVersion;
import io.modelreg.Page;
import io.modelreg.RegisteredModel;
import io.modelreg.Registration;
import io.modelreg.RegistryEvent;
import io.modelreg.SearchRequest;
import io.modelreg.Stage;
import io.modelreg.VerificationReport;
import io.modelreg.mlflow.MlflowRegistries;
import io.modelreg.mlflow.MlflowRegistryProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Commands that read and change registered models and versions. */
final class RegistryCommands {
  private RegistryCommands() {}

  private static String row(ModelVersion v) {
    return String.format("%-28s %-10s %-11s %-24s %s", v.uri(), v.semver().map(Object::toString).orElse("-"),
        v.stage(), String.join(",", v.aliases()), v.digest().toString().substring(0, 19));
  }

  /** Versions as their JSON views, for {@code --json}. */
  private static List<Object> views(List<ModelVersion> versions) {
    List<Object> out = new ArrayList<>();
    versions.forEach(v -> out.add(Views.version(v)));
    return out;
  }

  /** Versions as text, one {@link #row} per line, each after {@code indent}. */
  private static String rows(List<ModelVersion> versions, String indent) {
    StringBuilder text = new StringBuilder();
    versions.forEach(v -> text.append(indent).append(row(v)).append('\n'));
    return text.toString().stripTrailing();
  }

  private static Map<String, String> keyValues(List<String> pairs, String what) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String p : pairs) {
      int eq = p.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("Expected KEY=VALUE for " + what + ", got '" + p + "'");
      }
      out.put(p.substring(0, eq), p.substring(eq + 1));
    }
    return out;
  }

  @Command(name = "init", description = "Create a registry (a file: registry is a directory) and print its URI.")
  static final class Init extends Base {
    @Parameters(arity = "0..1", paramLabel = "DIR", description = "Directory for a file: registry; default: --registry")
    @Nullable Path dir;

    @Override
    void run() {
      String uri = dir != null ? dir.toAbsolutePath().toUri().toString() : root().registryUri();
      try (ModelRegistry r = io.modelreg.ModelRegistries.open(uri)) {
        print(Map.of("registry", r.describe(), "models", r.listModels().size()), "Registry ready at " + r.describe());
      }
    }
  }

  @Command(name = "models", description = "List, show and delete registered models.",
      subcommands = {Models.ListModels.class, Models.Show.class, Models.Delete.class})
  static final class Models {
    @Command(name = "list", description = "List registered models.")
    static final class ListModels extends Base {
      @Override
      void run() {
        try (ModelRegistry r = root().open()) {
          List<Object> all = new ArrayList<>();
          StringBuilder text = new StringBuilder();
          for (RegisteredModel m : r.listModels()) {
            all.add(Views.model(m));
            text.append(String.format("%-30s %s%n", m.name(), m.aliases()));
          }
          print(all, text.length() == 0 ? "No models." : text.toString().stripTrailing());
        }
      }
    }

    @Command(name = "show", description = "Show a model and its versions.")
    static final class Show extends Base {
      @Parameters(paramLabel = "NAME") String name;

      @Override
      void run() {
        try (ModelRegistry r = root().open()) {
          RegisteredModel m = r.getModel(name);
          List<ModelVersion> versions = r.listVersions(name);
          Map<String, Object> view = Views.model(m);
          view.put("versions", views(versions));
          String header = m.name() + m.description().map(d -> " — " + d).orElse("");
          String body = rows(versions, "  ");
          print(view, body.isEmpty() ? header : header + "\n" + body);
        }
      }
    }

    @Command(name = "delete", description = "Delete a model and all its versions (history stays).")
    static final class Delete extends Base {
      @Parameters(paramLabel = "NAME") String name;

      @Override
      void run() {
        try (ModelRegistry r = root().open()) {
          r.deleteModel(name);
          print(Map.of("deleted", name), "Deleted " + name);
        }
      }
    }
  }

  @Command(name = "register", description = "Register files or directories as a new version of a model.")
  static final class Register extends Base {
    @Parameters(index = "0", paramLabel = "NAME") String name;
    @Parameters(index = "1..*", arity = "1..*", paramLabel = "PATH", description = "Files and directories") List<Path> paths;
    @Option(names = "--description") @Nullable String description;
    @Option(names = "--semver") @Nullable String semver;
    @Option(names = "--tag", paramLabel = "KEY=VALUE") List<String> tags = new ArrayList<>();
    @Option(names = "--param", paramLabel = "KEY=VALUE") List<String> params = new ArrayList<>();
    @Option(names = "--metric", paramLabel = "KEY=VALUE") List<String> metrics = new ArrayList<>();
    @Option(names = "--run-id") @Nullable String runId;
    @Option(names = "--source") @Nullable String source;
    @Option(names = "--parent", paramLabel = "VERSION") @Nullable Integer parent;
    @Option(names = "--dataset", paramLabel = "REF") List<String> datasets = new ArrayList<>();
    @Option(names = "--no-git", description = "Do not record the git commit of the working directory") boolean noGit;

    @Override
    void run() throws IOException {
      Registration.Builder files = Registration.builder();
      for (Path p : paths) {
        if (Files.isDirectory(p)) {
          files.directory(p);
        } else {
          files.file(p);
        }
      }
      Registration scanned = files.build();
      long total = 0;
      for (Path p : paths) {
        try (Stream<Path> walk = Files.walk(p)) {
          total += walk.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
        }
      }
      Progress progress = new Progress(err(), root().ticker, "uploading", total, interactive());
      Registration.Builder b = Registration.builder();
      for (Registration.Artifact a : scanned.artifacts()) {
        b.stream(a.path(), () -> progress.wrap(a.source().open()));
      }
      b.description(description).tags(keyValues(tags, "--tag")).params(keyValues(params, "--param"));
      keyValues(metrics, "--metric").forEach((k, v) -> b.metric(k, parseNumber(k, v)));
      if (semver != null) {
        b.semver(semver);
      }
      Lineage.Builder lineage = Lineage.builder();
      if (runId != null) {
        lineage.runId(runId);
      }
      if (source != null) {
        lineage.sourceUri(source);
      }
      if (parent != null) {
        lineage.parentVersion(parent);
      }
      datasets.forEach(lineage::dataset);
      if (!noGit) {
        lineage.gitCommitOf(Path.of("").toAbsolutePath());
      }
      b.lineage(lineage.build());
      try (ModelRegistry r = root().open()) {
        ModelVersion v = r.register(name, b.build());
        progress.finish();
        print(Views.version(v), "Registered " + v.uri() + v.semver().map(s -> " (" + s + ")").orElse("") + ", "
            + v.manifest().files().size() + " files, " + Progress.size(v.manifest().totalSize()) + ", " + v.digest());
      }
    }

    private static double parseNumber(String key, String value) {
      try {
        return Double.parseDouble(value);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("Metric " + key + " must be a number, got '" + value + "'");
      }
    }
  }

  @Command(name = "versions", description = "List, show and search versions.",
      subcommands = {Versions.ListVersions.class, Versions.Show.class, Versions.Search.class})
  static final class Versions {
    @Command(name = "list", description = "List the versions of a model.")
    static final class ListVersions extends Base {
      @Parameters(paramLabel = "NAME") String name;

      @Override
      void run() {
        try (ModelRegistry r = root().open()) {
          List<ModelVersion> versions = r.listVersions(name);
          print(views(versions), rows(versions, ""));
        }
      }
    }

    @Command(name = "show", description = "Show one version: models:/NAME/N, @ALIAS, /STAGE, /SEMVER, /^RANGE.")
    static final class Show extends Base {
      @Parameters(paramLabel = "URI") String uri;

      @Override
      void run() {
        try (ModelRegistry r = root().open()) {
          ModelVersion v = r.resolve(uri);
          StringBuilder text = new StringBuilder(row(v)).append('\n');
          v.latestMetrics().forEach((k, x) -> text.append("  metric ").append(k).append(" = ").append(x).append('\n'));
          v.tags().forEach((k, x) -> text.append("  tag ").append(k).append(" = ").append(x).append('\n'));
          v.manifest().files().forEach(f -> text.append("  file ").append(f.path()).append(" (")
              .append(Progress.size(f.size())).append(")\n"));
          print(Views.version(v), text.toString().stripTrailing());
        }
      }
    }

    @Command(name = "search", description = "Search versions with the filter grammar, e.g. \"tags.team = 'ml' AND metrics.accuracy > 0.9\".")
    static final class Search extends Base {
      @Parameters(paramLabel = "FILTER", arity = "0..1") String filter = "";
      @Option(names = "--order-by", paramLabel = "CLAUSE") List<String> orderBy = new ArrayList<>();
      @Option(names = "--max", paramLabel = "N") int max = 100;

      @Override
      void run() {
        try (ModelRegistry r = root().open()) {
          Page<ModelVersion> page = r.searchVersions(SearchRequest.of(filter).orderBy(orderBy.toArray(new String[0])).maxResults(max));
          String text = rows(page.items(), "");
          print(views(page.items()), text.isEmpty() ? "No versions match." : text);
        }
      }
    }
  }

  @Command(name = "promote", description = "Move a version to a stage (development → staging → production).")
  static final class Promote extends Base {
    @Parameters(index = "0", paramLabel = "NAME") String name;
    @Parameters(index = "1", paramLabel = "VERSION") int version;
    @Parameters(index = "2", paramLabel = "STAGE", description = "staging, production or archived") String stage;

    @Override
    void run() {
      try (ModelRegistry r = root().open()) {
        ModelVersion v = r.transition(name, version, Stage.parse(stage));
        print(Views.version(v), v.uri() + " is now " + v.stage());
      }
    }
  }

  @Command(name = "archive", description = "Archive a version.")
  static final class Archive extends Base {
    @Parameters(index = "0", paramLabel = "NAME") String name;
    @Parameters(index = "1", paramLabel = "VERSION") int version;

    @Override
    void run() {
      try (ModelRegistry r = root().open()) {
        ModelVersion v = r.transition(name, version, Stage.ARCHIVED);
        print(Views.version(v), v.uri() + " is now " + v.stage());
      }
    }
  }

  @Command(name = "rollback", description = "Return production to the version that held it before.")
  static final class Rollback extends Base {
    @Parameters(paramLabel = "NAME") String name;

    @Override
    void run() {
      try (ModelRegistry r = root().open()) {
        ModelVersion v = r.rollback(name);
        print(Views.version(v), "Production of " + name + " is " + v.uri() + " again");
      }
    }
  }

  @Command(name = "alias", description = "Set or delete aliases.", subcommands = {Alias.Set.class, Alias.Delete.class})
  static final class Alias {
    @Command(name = "set", description = "Point ALIAS at a version.")
    static final class Set extends Base {
      @Parameters(index = "0", paramLabel = "NAME") String name;
      @Parameters(index = "1", paramLabel = "ALIAS") String alias;
      @Parameters(index = "2", paramLabel = "VERSION") int version;

      @Override
      void run() {
        try (ModelRegistry r = root().open()) {
          ModelVersion v = r.setAlias(name, alias, version);
          print(Views.version(v), "models:/" + name + "@" + alias + " -> " + v.uri());
        }
      }
    }

    @Command(name = "delete", description = "Delete an alias.")
    static final class Delete extends Base {
      @Parameters(index = "0", paramLabel = "NAME") String name;
      @Parameters(index = "1", paramLabel = "ALIAS") String alias;

      @Override
      void run() {
        try (ModelRegistry r = root().open()) {
          r.deleteAlias(name, alias);
          print(Map.of("deleted", alias), "Deleted alias " + alias + " of " + name);
        }
      }
    }
  }

  @Command(name = "tag", description = "Set (or with --delete remove) a tag on a model, or on a version with --version.")
  static final class Tag extends Base {
    @Parameters(index = "0", paramLabel = "NAME") String name;
    @Parameters(index = "1", paramLabel = "KEY[=VALUE]") String pair;
    @Option(names = "--version", paramLabel = "N") @Nullable Integer version;
    @Option(names = "--delete") boolean delete;

    @Override
    void run() {
      int eq = pair.indexOf('=');
      String key = eq < 0 ? pair : pair.substring(0, eq);
      if (!delete && eq < 0) {
        throw new IllegalArgumentException("Expected KEY=VALUE, or KEY with --delete");
      }
      try (ModelRegistry r = root().open()) {
        if (version == null) {
          RegisteredModel m = delete ? r.deleteModelTag(name, key) : r.setModelTag(name, key, pair.substring(eq + 1));
          print(Views.model(m), name + " tags: " + m.tags());
        } else {
          ModelVersion v = delete ? r.deleteVersionTag(name, version, key) : r.setVersionTag(name, version, key, pair.substring(eq + 1));
          print(Views.version(v), v.uri() + " tags: " + v.tags());
        }
      }
    }
  }

  @Command(name = "metrics", description = "Record measured metrics.", subcommands = Metrics.Record.class)
  static final class Metrics {
    @Command(name = "record", description = "Append a metric run to a version: modelreg metrics record NAME N --run-id X k=v …")
    static final class Record extends Base {
      @Parameters(index = "0", paramLabel = "NAME") String name;
      @Parameters(index = "1", paramLabel = "VERSION") int version;
      @Parameters(index = "2..*", arity = "1..*", paramLabel = "KEY=VALUE") List<String> values;
      @Option(names = "--run-id", required = true) String runId;
      @Option(names = "--notes") String notes = "";

      @Override
      void run() {
        Map<String, Double> parsed = new LinkedHashMap<>();
        keyValues(values, "metrics").forEach((k, v) -> parsed.put(k, Register.parseNumber(k, v)));
        try (ModelRegistry r = root().open()) {
          ModelVersion v = r.recordMetrics(name, version, new MetricRecord(runId, root().clock.instant(), parsed, notes));
          print(Views.version(v), "Recorded " + parsed + " on " + v.uri());
        }
      }
    }
  }

  @Command(name = "compare", description = "Compare two versions: metric deltas, parameters, signature, winner.")
  static final class Compare extends Base {
    @Parameters(index = "0", paramLabel = "URI_A") String a;
    @Parameters(index = "1", paramLabel = "URI_B") String b;
    @Option(names = "--metric", description = "Metric that decides the winner; default accuracy") String metric = "accuracy";
    @Option(names = "--lower-is-better") boolean lowerIsBetter;

    @Override
    void run() {
      try (ModelRegistry r = root().open()) {
        Comparison c = r.compare(ModelUri.parse(a), ModelUri.parse(b));
        StringBuilder text = new StringBuilder(c.a().uri() + " vs " + c.b().uri() + "\n");
        // as wide as the longest metric name, so bench names (latency.b32.p99_err_ms) keep the columns aligned
        int width = Math.max(20, c.metrics().keySet().stream().mapToInt(String::length).max().orElse(0));
        c.metrics().forEach((k, d) -> text.append(String.format("  %-" + width + "s %12s %12s %12s%s%n", k, fmt(d.meanA()),
            fmt(d.meanB()), d.delta() == null ? "" : String.format("%+.4f", d.delta()),
            d.pValue() == null ? "" : String.format("  p=%.4f", d.pValue()))));
        c.paramChanges().forEach((k, p) -> text.append("  param ").append(k).append(": ").append(p.a()).append(" -> ")
            .append(p.b()).append('\n'));
        c.signatureDifferences().forEach(s -> text.append("  signature ").append(s).append('\n'));
        conditionWarnings(c, text);
        c.winner(metric, !lowerIsBetter).ifPresentOrElse(
            w -> text.append("  winner by ").append(metric).append(": ").append(w.winner().uri())
                .append(w.confidence() == null ? " (confidence unknown: too few samples)"
                    : String.format(" (confidence %.1f%%)", 100 * w.confidence())),
            () -> text.append("  no winner by ").append(metric));
        print(Views.comparison(c, metric, !lowerIsBetter), text.toString());
      }
    }

    private static String fmt(@Nullable Double d) {
      return d == null ? "-" : String.format("%.4f", d);
    }

    /**
     * One line per group of metrics last measured under different conditions, naming each differing condition
     * with both values, so nobody takes a laptop-versus-server latency gap for a model difference.
     */
    static void conditionWarnings(Comparison c, StringBuilder text) {
      Map<String, List<String>> byDifference = new java.util.LinkedHashMap<>();
      c.conditionDifferences().forEach((metric, diff) -> {
        StringBuilder d = new StringBuilder();
        diff.forEach((k, p) -> d.append(d.length() == 0 ? "" : "; ").append(k).append(": ")
            .append(p.a() == null ? "(not recorded)" : p.a()).append(" vs ")
            .append(p.b() == null ? "(not recorded)" : p.b()));
        byDifference.computeIfAbsent(d.toString(), x -> new ArrayList<>()).add(metric);
      });
      byDifference.forEach((d, metrics) -> text.append("  conditions differ for ").append(metrics.size() == 1
          ? metrics.get(0) : metrics.size() + " metrics (" + metrics.get(0) + " …)").append(": ").append(d).append('\n'));
    }
  }

  @Command(name = "history", description = "Every change of a model, oldest first.")
  static final class History extends Base {
    @Parameters(paramLabel = "NAME") String name;

    @Override
    void run() {
      try (ModelRegistry r = root().open()) {
        List<Object> all = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        for (RegistryEvent e : r.history(name)) {
          all.add(Views.event(e));
          text.append(String.format("#%-4d %s %-10s %-18s %s %s%n", e.sequence(), e.time(), e.actor(), e.type(),
              e.version() == null ? "" : "v" + e.version(), e.details()));
        }
        print(all, text.toString().stripTrailing());
      }
    }
  }

  @Command(name = "verify", description = "Re-hash every artifact and check every reference; exit 6 if anything is damaged.")
  static final class Verify extends Base {
    @Override
    void run() {
      try (ModelRegistry r = root().open()) {
        VerificationReport report = r.verify();
        print(Map.of("models", report.models(), "versions", report.versions(), "artifacts", report.artifacts(),
            "problems", report.problems()), report.isClean()
            ? "OK: " + report.models() + " models, " + report.versions() + " versions, " + report.artifacts() + " artifacts intact"
            : String.join("\n", report.problems()));
        if (!report.isClean()) {
          exitCode = ModelregCli.ExitCodes.INTEGRITY;
        }
      }
    }
  }

  @Command(name = "gc", description = "Delete stored bytes no version uses.")
  static final class Gc extends Base {
    @Override
    void run() {
      try (ModelRegistry r = root().open()) {
        GcReport g = r.gc();
        print(Map.of("deleted", g.deleted(), "bytes_freed", g.bytesFreed(), "kept", g.kept()),
            "Deleted " + g.deleted() + " unreferenced objects (" + Progress.size(g.bytesFreed()) + "), kept " + g.kept());
      }
    }
  }

  @Command(name = "adopt", description = "Take over a version another MLflow client registered: hash its files once, so it"
      + " resolves, serves and verifies like any other (MLflow registries only).")
  static final class Adopt extends Base {
    @Parameters(index = "0", paramLabel = "NAME") String name;
    @Parameters(index = "1", paramLabel = "VERSION") int version;

    @Override
    void run() {
      String uri = root().registryUri();
      String scheme = uri.contains(":") ? uri.substring(0, uri.indexOf(':')).toLowerCase(java.util.Locale.ROOT) : "";
      if (!new MlflowRegistryProvider().schemes().contains(scheme)) {
        throw new IllegalArgumentException("adopt takes over versions registered by other MLflow clients; " + uri
            + " is not an MLflow registry (mlflow://, mlflow+https://, http(s)://)");
      }
      ModelVersion v = MlflowRegistries.adopt(uri, name, version, root().options());
      print(Views.version(v), "Adopted " + v.uri() + ": " + v.manifest().files().size() + " files, "
          + Progress.size(v.manifest().totalSize()) + ", digest " + v.digest());
    }
  }
}
