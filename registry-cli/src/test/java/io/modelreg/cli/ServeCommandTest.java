package io.modelreg.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.modelreg.ModelRegistries;
import io.modelreg.ModelRegistry;
import io.modelreg.Registration;
import io.modelreg.Stage;
import io.modelreg.examples.ChurnDataset;
import io.modelreg.examples.ChurnTrainer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code modelreg serve} in this JVM, called over real HTTP, then stopped. */
class ServeCommandTest {
  @TempDir Path dir;
  final HttpClient http = HttpClient.newHttpClient();

  @AfterEach
  void stopServers() {
    ServeCommand.stopAll();
  }

  private Map<String, String> env() {
    Map<String, String> env = new HashMap<>();
    env.put("MODELREG_URI", dir.resolve("registry").toUri().toString());
    return env;
  }

  /** Starts serve on a free port with --json, returns its printed start document and the running command. */
  private JsonNode serve(Map<String, String> env, CompletableFuture<Integer>[] exit, StringWriter err, String... extra) throws Exception {
    StringWriter out = new StringWriter();
    String[] args = new String[extra.length + 4];
    args[0] = "--json";
    args[1] = "serve";
    args[2] = "--port";
    args[3] = "0";
    System.arraycopy(extra, 0, args, 4, extra.length);
    exit[0] = CompletableFuture.supplyAsync(() -> ModelregCli.run(env, new PrintWriter(out, true), new PrintWriter(err, true), args));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!out.toString().contains("}") && !exit[0].isDone() && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    assertThat(out.toString()).as(err + " exit " + (exit[0].isDone() ? exit[0].join() : "running")).contains("\"url\"");
    return io.modelreg.cli.Views.JSON.readTree(out.toString());
  }

  private HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
    return http.send(b.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void serveAnswersTheApiRefusesTokenlessWritesAcceptsTheGivenTokenAndStopsCleanly() throws Exception {
    try (ModelRegistry r = ModelRegistries.open(dir.resolve("registry").toUri())) {
      r.register("churn", Registration.builder().bytes("m.bin", new byte[] {1, 2}).semver("1.0.0").build());
    }
    Map<String, String> env = env();
    env.put(ServeCommand.TOKEN_ENV, "a-token-from-the-environment");
    @SuppressWarnings("unchecked")
    CompletableFuture<Integer>[] exit = new CompletableFuture[1];
    StringWriter err = new StringWriter();
    JsonNode start = serve(env, exit, err);
    URI base = URI.create(start.get("url").asText());
    assertThat(base.getHost()).isEqualTo("127.0.0.1");
    assertThat(start.get("token").isNull()).as("a given token is never printed").isTrue();
    HttpResponse<String> models = send(HttpRequest.newBuilder(base.resolve("api/v1/models")));
    assertThat(models.statusCode()).isEqualTo(200);
    assertThat(models.body()).contains("\"churn\"");
    HttpRequest.Builder write = HttpRequest.newBuilder(base.resolve("api/v1/models/churn/aliases/champion"))
        .PUT(HttpRequest.BodyPublishers.ofString("{\"version\":1}")).header("Content-Type", "application/json");
    assertThat(send(write).statusCode()).isEqualTo(401);
    assertThat(send(write.header("Authorization", "Bearer a-token-from-the-environment")).statusCode()).isEqualTo(200);
    assertThat(send(HttpRequest.newBuilder(base)).body()).contains("<script src=\"/console/app.js\">");
    ServeCommand.stopAll();
    assertThat(exit[0].get(30, TimeUnit.SECONDS)).as(err.toString()).isZero();
    try (ModelRegistry r = ModelRegistries.open(dir.resolve("registry").toUri())) {
      assertThat(r.resolve("models:/churn@champion").number()).isEqualTo(1);
    }
    assertThat(http.sendAsync(HttpRequest.newBuilder(base.resolve("api/v1/models")).build(), HttpResponse.BodyHandlers.ofString())
        .handle((ok, e) -> e != null).get(30, TimeUnit.SECONDS)).as("the port is closed after stop").isTrue();
  }

  @Test
  void readOnlyServeRefusesWritesAndPrintsNoToken() throws Exception {
    try (ModelRegistry r = ModelRegistries.open(dir.resolve("registry").toUri())) {
      r.createModel("m");
    }
    @SuppressWarnings("unchecked")
    CompletableFuture<Integer>[] exit = new CompletableFuture[1];
    JsonNode start = serve(env(), exit, new StringWriter(), "--read-only");
    assertThat(start.get("token").isNull()).isTrue();
    URI base = URI.create(start.get("url").asText());
    HttpResponse<String> r = send(HttpRequest.newBuilder(base.resolve("api/v1/models/m/tags/a"))
        .PUT(HttpRequest.BodyPublishers.ofString("{\"value\":\"1\"}")).header("Content-Type", "application/json"));
    assertThat(r.statusCode()).isEqualTo(403);
  }

  @Test
  void serveWithAPoolShowsTheLoadedModelOnTheLivePageApi() throws Exception {
    List<Map<String, Object>> data = ChurnDataset.generate(600, 3);
    ChurnTrainer.Result trained = ChurnTrainer.train(data.subList(0, 450), data.subList(450, 600), List.of("tenure", "tickets", "plan"));
    try (ModelRegistry r = ModelRegistries.open(dir.resolve("registry").toUri())) {
      trained.bundle().register(r, "churn", Registration.builder().semver("1.0.0").metric("accuracy", trained.accuracy()));
      r.transition("churn", 1, Stage.STAGING);
    }
    @SuppressWarnings("unchecked")
    CompletableFuture<Integer>[] exit = new CompletableFuture[1];
    StringWriter err = new StringWriter();
    JsonNode start = serve(env(), exit, err, "--pool", "models:/churn/staging", "--pool-budget-mb", "512");
    URI base = URI.create(start.get("url").asText());
    HttpResponse<String> pool = send(HttpRequest.newBuilder(base.resolve("api/v1/pool")));
    assertThat(pool.statusCode()).as(pool.body()).isEqualTo(200);
    JsonNode p = Views.JSON.readTree(pool.body());
    assertThat(p.get("loadedModels").asInt()).isEqualTo(1);
    assertThat(p.get("budgetBytes").asLong()).isEqualTo(512L * 1024 * 1024);
    assertThat(Files.exists(dir.resolve("registry"))).isTrue();
    assertThat(new String(send(HttpRequest.newBuilder(base.resolve("metrics"))).body().getBytes(StandardCharsets.UTF_8),
        StandardCharsets.UTF_8)).contains("modelreg_pool_models_loaded 1");
  }
}
