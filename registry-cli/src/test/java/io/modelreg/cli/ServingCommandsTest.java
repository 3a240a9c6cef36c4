package io.modelreg.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.modelreg.ModelRegistries;
import io.modelreg.ModelRegistry;
import io.modelreg.Registration;
import io.modelreg.examples.ChurnDataset;
import io.modelreg.examples.ChurnTrainer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServingCommandsTest {
  @TempDir Path dir;

  private String[] run(Map<String, String> env, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = ModelregCli.run(env, new PrintWriter(out), new PrintWriter(err), args);
    return new String[] {Integer.toString(code), out.toString(), err.toString()};
  }

  private Map<String, String> env() {
    Map<String, String> env = new HashMap<>();
    env.put("MODELREG_URI", dir.resolve("registry").toUri().toString());
    return env;
  }

  private void trainAndRegister() throws Exception {
    List<Map<String, Object>> data = ChurnDataset.generate(1200, 3);
    List<String> columns = List.of("tenure", "tickets", "plan");
    ChurnTrainer.Result r = ChurnTrainer.train(data.subList(0, 900), data.subList(900, 1200), columns);
    try (ModelRegistry registry = ModelRegistries.open(dir.resolve("registry").toUri())) {
      r.bundle().register(registry, "churn", Registration.builder().semver("1.0.0").metric("accuracy", r.accuracy()));
      ChurnTrainer.Result r2 = ChurnTrainer.train(data.subList(0, 900), data.subList(900, 1200),
          List.of("age", "income", "tenure", "tickets", "plan"));
      r2.bundle().register(registry, "churn", Registration.builder().semver("1.1.0").metric("accuracy", r2.accuracy()));
      registry.transition("churn", 1, io.modelreg.Stage.STAGING);
      registry.transition("churn", 1, io.modelreg.Stage.PRODUCTION);
      registry.transition("churn", 2, io.modelreg.Stage.STAGING);
    }
  }

  @Test
  void predictReadsCsvAndJsonLinesAndWritesOneJsonLinePerRow() throws Exception {
    trainAndRegister();
    Path csv = Files.writeString(dir.resolve("rows.csv"), "tenure,tickets,plan\n3,5,basic\n60,0,enterprise\n");
    String[] r = run(env(), "predict", "models:/churn/production", "--input", csv.toString(), "--cache", dir.resolve("cache").toString());
    assertThat(r[0]).isEqualTo("0");
    String[] lines = r[1].strip().split("\n");
    assertThat(lines).hasSize(2);
    JsonNode first = Views.JSON.readTree(lines[0]);
    assertThat(first.path("version").asText()).isEqualTo("models:/churn/1");
    assertThat(first.path("label").asText()).isEqualTo("yes");
    assertThat(Views.JSON.readTree(lines[1]).path("label").asText()).isEqualTo("no");
    Path jsonl = Files.writeString(dir.resolve("rows.jsonl"), "{\"tenure\": 3, \"tickets\": 5, \"plan\": \"basic\"}\n");
    assertThat(run(env(), "predict", "models:/churn/1", "--input", jsonl.toString(), "--cache", dir.resolve("cache").toString())[1])
        .contains("\"probabilities\"");
    Path bad = Files.writeString(dir.resolve("bad.csv"), "tenure,plan\n3,basic\n");
    String[] refused = run(env(), "predict", "models:/churn/1", "--input", bad.toString(), "--cache", dir.resolve("cache").toString());
    assertThat(refused[0]).isEqualTo("8");
    assertThat(refused[2]).contains("missing column 'tickets'");
  }

  @Test
  void theReportIsOneSelfContainedFileWhoseChartsChromiumDraws() throws Exception {
    trainAndRegister();
    Path html = dir.resolve("report.html");
    assertThat(run(env(), "report", "churn", "--out", html.toString())[0]).isEqualTo("0");
    String page = Files.readString(html);
    assertThat(page).contains("<script id=\"data\"").doesNotContain("src=\"http", "href=\"http", "<link", "@import")
        .doesNotContain("<svg");
    Path chromium = Path.of("/usr/bin/chromium");
    assumeTrue(Files.isExecutable(chromium), "Debian's chromium is not installed (.ci/run installs it)");
    Process p = new ProcessBuilder(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--user-data-dir=" + dir.resolve("chromium-profile"), "--dump-dom", html.toUri().toString())
        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String dom = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(dom).contains("data-metric=\"accuracy\"").contains("<path").contains("<circle").contains("class=\"timeline\"")
        .contains("<rect").contains("<table>");
  }

  @Test
  void quickstartRunsTheExamplesStoryInAChildJvm() {
    Path home = ServingCommands.Quickstart.home();
    assumeTrue(Files.isRegularFile(home.resolve("examples/target/quickstart.classpath")),
        "the examples module is not built in " + home);
    String[] r = run(Map.of(), "quickstart", dir.resolve("qs").toString());
    assertThat(r[0]).as(r[2]).isEqualTo("0");
    assertThat(r[1]).contains("winner: v2").contains("served by models:/churn/2").contains("all intact");
    assertThat(dir.resolve("qs/registry")).isDirectory();
    assertThat(r[2]).as("Tribuo's training log stays quiet").doesNotContain("Training SGD model");
  }

  @Test
  void quickstartWithoutTheExamplesBuildSaysHowToBuildIt() {
    String before = System.getProperty("modelreg.home");
    System.setProperty("modelreg.home", dir.resolve("release").toString());
    try {
      String[] r = run(Map.of(), "quickstart", dir.resolve("qs").toString());
      assertThat(r[0]).isEqualTo("5");
      assertThat(r[2]).contains("modelreg.jar does not carry").contains("-pl examples,registry-cli -am install exec:java");
      assertThat(dir.resolve("qs")).doesNotExist();
    } finally {
      if (before == null) {
        System.clearProperty("modelreg.home");
      } else {
        System.setProperty("modelreg.home", before);
      }
    }
  }

  @Test
  void theCommandLineTheReadmeGivesFirstBuildsWhatBinModelregAndTheQuickstartNeed() throws Exception {
    Path root = ServingCommands.Quickstart.home();
    String readme = Files.readString(root.resolve("README.md"));
    java.util.regex.Matcher first = java.util.regex.Pattern.compile("# 1\\.[^\\n]*\\n(?:#[^\\n]*\\n)*(\\./mvnw [^\\n]*)").matcher(readme);
    assertThat(first.find()).as("README.md shows command 1").isTrue();
    String command = first.group(1);
    // bin/modelreg runs registry-cli/target/modelreg.jar; the quickstart needs examples/target/quickstart.classpath
    assertThat(Files.readString(root.resolve("bin/modelreg"))).contains("registry-cli/target/modelreg.jar");
    java.util.regex.Matcher modules = java.util.regex.Pattern.compile(" -pl ([^ ]+) ").matcher(command);
    assertThat(modules.find()).as(command).isTrue();
    assertThat(modules.group(1).split(",")).contains("registry-cli", "examples");
    assertThat(command).contains(" -am ").containsPattern(" (package|install) ").doesNotContain("-Dmaven.test.skip");
    assertThat(readme).contains("After that, `bin/modelreg quickstart` runs the same story");
  }
}
