package io.modelreg.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.modelreg.Lineage;
import io.modelreg.ModelRegistry;
import io.modelreg.ModelUri;
import io.modelreg.Stage;
import io.modelreg.inference.ModelPredictor;
import io.modelreg.inference.PredictorOptions;
import io.modelreg.inference.bench.BenchInput;
import io.modelreg.prompts.PromptComparison;
import io.modelreg.prompts.PromptRegistry;
import io.modelreg.prompts.PromptTemplate;
import io.modelreg.prompts.PromptVersion;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Predicting, prompts, the quickstart and the HTML report. */
final class ServingCommands {
  private ServingCommands() {}

  @Command(name = "predict", description = "Predict rows from a CSV file (with a header) or JSON lines; one JSON line out per row.")
  static final class Predict extends Base {
    @Parameters(index = "0", paramLabel = "URI") String uri;
    @Option(names = "--input", required = true, paramLabel = "FILE", description = "rows.csv, rows.jsonl, or - for JSON lines on stdin")
    String input;
    @Option(names = "--cache", paramLabel = "DIR") @Nullable Path cache;

    @Override
    void run() throws IOException {
      List<? extends Map<String, ?>> rows = (input.equals("-") ? BenchInput.jsonLines("stdin", System.in, null)
          : BenchInput.read(Path.of(input), null)).rows();
      PredictorOptions options = cache != null ? PredictorOptions.defaults().cacheDirectory(cache) : PredictorOptions.defaults();
      try (ModelRegistry r = root().open(); ModelPredictor p = ModelPredictor.load(r, ModelUri.parse(uri), options)) {
        float[][] outputs = p.predictBatch(rows);
        List<Map<String, Float>> proba = p.labels().isEmpty() ? List.of() : p.predictProbaBatch(rows);
        for (int i = 0; i < rows.size(); i++) {
          Map<String, Object> line = new LinkedHashMap<>();
          line.put("version", p.version().map(v -> v.uri().toString()).orElse(uri));
          line.put("output", outputs[i]);
          if (!proba.isEmpty()) {
            line.put("probabilities", proba.get(i));
            line.put("label", p.predictLabel(rows.get(i)));
          }
          out().println(Views.JSON.writer().withoutFeatures(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT)
              .writeValueAsString(line));
        }
        out().flush();
      }
    }
  }

  @Command(name = "prompt", description = "Register, render, compare and promote prompts.",
      subcommands = {Prompt.Register.class, Prompt.Render.class, Prompt.Compare.class, Prompt.Promote.class})
  static final class Prompt {
    @Command(name = "register", description = "Register a prompt version; the semver bump is checked against the change.")
    static final class Register extends Base {
      @Parameters(index = "0", paramLabel = "NAME") String name;
      @Option(names = "--template", paramLabel = "TEXT") @Nullable String template;
      @Option(names = "--file", paramLabel = "FILE") @Nullable Path file;
      @Option(names = "--semver", required = true) String semver;
      @Option(names = {"--message", "-m"}) String message = "";
      @Option(names = "--mlflow-syntax", description = "The template uses {{ name }}") boolean mlflow;
      @Option(names = "--override", paramLabel = "REASON", description = "Register even if the bump is too small; recorded")
      @Nullable String override;
      @Option(names = "--java-only", paramLabel = "REASON", description = "Keep a template MLflow's Python cannot render"
          + " (format spec, conversion, index, positional field), which an MLflow registry otherwise refuses; the version"
          + " is marked with REASON so Python users see why")
      @Nullable String javaOnly;

      @Override
      void run() throws IOException {
        String text = template != null ? template : file != null ? Files.readString(file) : null;
        if (text == null) {
          throw new IllegalArgumentException("Give the template with --template TEXT or --file FILE");
        }
        PromptTemplate t = PromptTemplate.parse(text, mlflow ? PromptTemplate.Syntax.MLFLOW : PromptTemplate.Syntax.PYTHON_FORMAT);
        try (ModelRegistry r = root().open()) {
          PromptVersion v = javaOnly == null ? PromptRegistry.on(r).register(name, t, semver, message, override)
              : PromptRegistry.on(r).registerJavaOnly(name, t, semver, message, override, Lineage.empty(), javaOnly);
          print(Views.prompt(v), "Registered " + v.uri() + " (" + v.semver() + "), variables " + t.variableNames());
        }
      }
    }

    @Command(name = "render", description = "Render a prompt: modelreg prompt render prompts:/greet@production name=Ada …")
    static final class Render extends Base {
      @Parameters(index = "0", paramLabel = "URI") String uri;
      @Parameters(index = "1..*", paramLabel = "KEY=VALUE") List<String> values = new ArrayList<>();
      @Option(names = "--values", paramLabel = "JSON", description = "Values as a JSON object (numbers stay numbers)")
      @Nullable String json;

      @Override
      void run() throws IOException {
        Map<String, Object> vars = new LinkedHashMap<>();
        if (json != null) {
          Views.JSON.readTree(json).fields().forEachRemaining(e -> vars.put(e.getKey(), value(e.getValue())));
        }
        for (String v : values) {
          int eq = v.indexOf('=');
          if (eq <= 0) {
            throw new IllegalArgumentException("Expected KEY=VALUE, got '" + v + "'");
          }
          vars.put(v.substring(0, eq), v.substring(eq + 1));
        }
        try (ModelRegistry r = root().open()) {
          PromptVersion p = PromptRegistry.on(r).load(uri);
          String text = p.render(vars);
          print(Map.of("uri", p.uri(), "text", text), text);
        }
      }

      private static @Nullable Object value(JsonNode n) {
        if (n.isIntegralNumber()) {
          return n.asLong();
        }
        if (n.isNumber()) {
          return n.asDouble();
        }
        if (n.isBoolean()) {
          return n.asBoolean();
        }
        if (n.isNull()) {
          return null;
        }
        if (n.isObject()) {
          Map<String, Object> m = new LinkedHashMap<>();
          n.fields().forEachRemaining(e -> m.put(e.getKey(), value(e.getValue())));
          return m;
        }
        if (n.isArray()) {
          List<Object> l = new ArrayList<>();
          n.forEach(x -> l.add(value(x)));
          return l;
        }
        return n.asText();
      }
    }

    @Command(name = "compare", description = "Variables added and removed, the bump the change needs, and a unified diff.")
    static final class Compare extends Base {
      @Parameters(index = "0", paramLabel = "URI_A") String a;
      @Parameters(index = "1", paramLabel = "URI_B") String b;

      @Override
      void run() {
        try (ModelRegistry r = root().open()) {
          PromptComparison c = PromptRegistry.on(r).compare(a, b);
          print(Map.of("added", c.variablesAdded(), "removed", c.variablesRemoved(), "required_bump", c.requiredBump().name(),
              "diff", c.diff()), "added " + c.variablesAdded() + ", removed " + c.variablesRemoved() + ", needs "
              + c.requiredBump() + "\n" + c.diff());
        }
      }
    }

    @Command(name = "promote", description = "Move a prompt version to a stage.")
    static final class Promote extends Base {
      @Parameters(index = "0", paramLabel = "NAME") String name;
      @Parameters(index = "1", paramLabel = "VERSION") int version;
      @Parameters(index = "2", paramLabel = "STAGE") String stage;

      @Override
      void run() {
        try (ModelRegistry r = root().open()) {
          PromptVersion p = PromptRegistry.on(r).promote(name, version, Stage.parse(stage));
          print(Views.prompt(p), p.uri() + " is now " + p.stage());
        }
      }
    }
  }

  /**
   * The examples module's quickstart, run in a child JVM on the class path that module's build wrote
   * ({@code examples/target/quickstart.classpath}): the story trains with Tribuo, which the shipped jar does not
   * carry (see README.md, "quickstart").
   */
  @Command(name = "quickstart", description = "Tell the whole story on a new file: registry in DIR (default target/quickstart/<time>); "
      + "runs the examples module of a source checkout.")
  static final class Quickstart extends Base {
    static final String MAIN = "io.modelreg.examples.Quickstart";
    @Parameters(arity = "0..1", paramLabel = "DIR") @Nullable Path dir;

    @Override
    void run() throws Exception {
      Path home = home();
      Path classes = home.resolve("examples/target/classes");
      Path classpath = home.resolve("examples/target/quickstart.classpath");
      if (!Files.isRegularFile(classpath) || !Files.isDirectory(classes)) {
        throw new IllegalStateException("The quickstart trains its models with Tribuo in the examples module, which"
            + " modelreg.jar does not carry, and it is not built in " + home + " (no " + classpath + "). From a clone"
            + " of the repository run: ./mvnw -B -q -DskipTests -pl examples,registry-cli -am install exec:java");
      }
      Path target = (dir != null ? dir : Path.of("target", "quickstart",
          LocalDateTime.now(root().clock.withZone(java.time.ZoneId.systemDefault())).format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT)))).toAbsolutePath();
      String javaCommand = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      // an argument file keeps the child's command line short, which ONNX Runtime needs (registry-inference/README.md)
      Path args = Files.createTempFile("modelreg-quickstart", ".args");
      Path errors = Files.createTempFile("modelreg-quickstart", ".err");
      try {
        Files.write(args, List.of("-Dai.djl.offline=true", "-Dai.djl.onnx.disable_alternative=true",
            "-cp", quoted(classes + java.io.File.pathSeparator + Files.readString(classpath, StandardCharsets.UTF_8).strip()),
            MAIN, quoted(target.toString())), StandardCharsets.UTF_8);
        Process child = new ProcessBuilder(javaCommand, "@" + args).redirectError(errors.toFile())
            .redirectInput(ProcessBuilder.Redirect.INHERIT).start();
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
          for (String line; (line = lines.readLine()) != null; ) {
            out().println(line);
            out().flush();
          }
        }
        int code = child.waitFor();
        err().print(Files.readString(errors, StandardCharsets.UTF_8));
        err().flush();
        if (code == ModelregCli.ExitCodes.INTEGRITY) {
          exitCode = code; // the registry it wrote did not verify clean
        } else if (code != 0) {
          throw new IOException("The quickstart failed (exit " + code + "); its output is above");
        }
      } finally {
        Files.deleteIfExists(args);
        Files.deleteIfExists(errors);
      }
    }

    /** The checkout this command runs from: {@code -Dmodelreg.home} (bin/modelreg sets it), else three levels above this jar or class directory. */
    static Path home() {
      String set = System.getProperty("modelreg.home");
      if (set != null) {
        return Path.of(set);
      }
      try {
        Path here = Path.of(Quickstart.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path home = here.getParent() == null ? null : here.getParent().getParent();
        home = home == null ? null : home.getParent(); // <home>/registry-cli/target/{modelreg.jar,classes}
        return home != null ? home : Path.of("").toAbsolutePath();
      } catch (java.net.URISyntaxException | RuntimeException e) {
        return Path.of("").toAbsolutePath();
      }
    }

    /** One argument of a java @argfile: quoted, with backslashes and quotes escaped. */
    private static String quoted(String arg) {
      return '"' + arg.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }
  }

  @Command(name = "report", description = "Write a self-contained HTML report: metrics across versions, stage timeline, comparison table.")
  static final class Report extends Base {
    @Parameters(index = "0", paramLabel = "NAME") String name;
    @Option(names = "--out", required = true, paramLabel = "FILE") Path out;

    @Override
    void run() throws IOException {
      try (ModelRegistry r = root().open()) {
        Files.writeString(out, io.modelreg.cli.Report.html(r, name), StandardCharsets.UTF_8);
        print(Map.of("report", out.toString()), "Wrote " + out);
      }
    }
  }
}
