package io.modelreg.benchmarks;

import io.modelreg.ModelRegistries;
import io.modelreg.ModelRegistry;
import io.modelreg.ModelVersion;
import io.modelreg.Registration;
import io.modelreg.RegistryOptions;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;
import org.openjdk.jmh.util.ListStatistics;

/**
 * P8-real: the {@code mlflow:} store against a <em>real</em> MLflow server, side by side with MLflow's Python
 * client doing the same on the same server and data, in one run. Before every JMH iteration (warm-up and
 * measured) of a Java operation, the Python side ({@link PythonMlflowSide}) runs the same operation for as long
 * as the iteration lasts, so the two alternate round by round and the machine's noise falls on both alike.
 * The Python rounds' means, with JMH's 99.9 % error, are printed at the end of each benchmark and appended to
 * {@code target/p8-real-python.jsonl}.
 *
 * <ul>
 *   <li>{@code resolve}: {@code resolve("models:/p8real-resolve@champion")} on a registry with its cache off
 *       ({@code cacheTtl = 0}; the store's version-list cache at its default), against Python's {@code
 *       get_model_version_by_alias}; {@code resolveBusy} the same on the 1,000-version model. {@code rawGetModel} and {@code rawGetAlias} are the two endpoints that
 *       could answer it, asked with the JDK's {@link HttpClient} and nothing else: where the time goes.
 *   <li>{@code search}: {@code searchVersions("tags.`p8.team` = 'ml'")}, 1,000 matching versions of one model,
 *       against {@code search_model_versions} with the same filter.
 *   <li>{@code register}: a 10 MiB file registered as a new version, against a run, {@code log_artifact} and
 *       {@code create_model_version} in Python.
 *   <li>{@code download}: version 1 of a model holding that file, into a fresh directory (deleted after each
 *       call on both sides), against {@code mlflow.artifacts.download_artifacts("models:/…/1")}.
 * </ul>
 *
 * <p>The server is {@code -Dmodelreg.bench.mlflow=http://host:port} (required; it must be a throwaway one: the
 * data below is created on it once and kept, and every register call adds a version with 10 MiB). Models:
 * {@code p8real-resolve} (10 versions, {@code champion} on 7), {@code p8real-search} (1,000 versions, no
 * files, tag {@code p8.team=ml}, {@code champion} on 500), {@code p8real-download} (one 10 MiB version), and for
 * {@code register} {@code p8real-register-java-<trial>} and {@code p8real-register-py-<trial>}, made by the trial's
 * first call and deleted at its end. Requests per operation are counted by {@link P8RealCounts}, not here.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 10, time = 2)
@Fork(1)
public class MlflowRealBenchmark {
  static final String RESOLVE_MODEL = "p8real-resolve";
  static final String SEARCH_MODEL = "p8real-search";
  static final String SEARCH_FILTER = "tags.`p8.team` = 'ml'";
  static final String DOWNLOAD_MODEL = "p8real-download";
  static final String REGISTER_JAVA = "p8real-register-java";
  static final String REGISTER_PY = "p8real-register-py";
  static final int SEARCH_VERSIONS = 1000;
  static final int TEN_MIB = 10 << 20;

  private ModelRegistry registry;
  private PythonMlflowSide python;
  private HttpClient http;
  private HttpRequest getModel;
  private HttpRequest getAlias;
  private Path file;
  private Path scratch;
  /** This trial's models for {@code register}: Java's and Python's, new in each trial. */
  private String registerJava = REGISTER_JAVA;
  private String registerPy = REGISTER_PY;
  private final Map<String, List<PythonMlflowSide.Round>> rounds = new LinkedHashMap<>();

  /** The server under test, from {@code -Dmodelreg.bench.mlflow}. */
  static URI server() {
    String uri = System.getProperty("modelreg.bench.mlflow");
    if (uri == null || uri.isBlank()) {
      throw new IllegalStateException("Set -Dmodelreg.bench.mlflow=http://host:port to a throwaway MLflow server"
          + " (pass it with -jvmArgsAppend to JMH)");
    }
    return URI.create(uri.replaceAll("/+$", ""));
  }

  /** The registry as every P8-real operation uses it: its own cache off, the store's at its defaults. */
  static ModelRegistry open(URI server) {
    return ModelRegistries.open(server.toString(), RegistryOptions.builder().cacheTtl(Duration.ZERO).build());
  }

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    URI server = server();
    file = tenMibFile();
    registry = open(server);
    prepare(registry, file);
    scratch = Files.createTempDirectory("p8-real-java");
    // fresh models for register on both sides, deleted at the end: MLflow's model-versions/create loads every version
    // of the model, so the cost of a registration grows with the versions earlier runs left (150 -> 225 ms for
    // Python's client over three runs on one server); new models make the runs comparable with each other
    String trial = "-" + System.currentTimeMillis();
    registerJava = REGISTER_JAVA + trial;
    registerPy = REGISTER_PY + trial;
    python = new PythonMlflowSide(server, RESOLVE_MODEL, SEARCH_FILTER, registerPy, DOWNLOAD_MODEL, file, SEARCH_MODEL);
    http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    getModel = HttpRequest.newBuilder(URI.create(server + "/api/2.0/mlflow/registered-models/get?name=" + RESOLVE_MODEL))
        .header("Content-Type", "application/json").build();
    getAlias = HttpRequest.newBuilder(URI.create(server + "/api/2.0/mlflow/registered-models/alias?name=" + RESOLVE_MODEL
        + "&alias=champion")).header("Content-Type", "application/json").build();
  }

  /** The 10 MiB of random bytes both sides register, made once under the bench-data directory. */
  static Path tenMibFile() throws IOException {
    Path base = Path.of(System.getProperty("modelreg.bench.data", "target/bench-data")).toAbsolutePath();
    Files.createDirectories(base);
    Path f = base.resolve("ten-mib.bin");
    if (!Files.exists(f) || Files.size(f) != TEN_MIB) {
      SplittableRandom random = new SplittableRandom(8);
      byte[] bytes = new byte[TEN_MIB];
      for (int i = 0; i < bytes.length; i++) {
        bytes[i] = (byte) random.nextInt(256);
      }
      try (OutputStream out = Files.newOutputStream(f)) {
        out.write(bytes);
      }
    }
    return f;
  }

  /** Creates what is missing of the benchmark's models on the server; a second run finds them and adds nothing. */
  static void prepare(ModelRegistry registry, Path file) {
    if (registry.findModel(RESOLVE_MODEL).isEmpty() || registry.listVersions(RESOLVE_MODEL).size() < 10) {
      int have = registry.findModel(RESOLVE_MODEL).isEmpty() ? 0 : registry.listVersions(RESOLVE_MODEL).size();
      for (int i = have; i < 10; i++) {
        registry.register(RESOLVE_MODEL, Registration.builder().bytes("model.bin", new byte[] {(byte) i}).build());
      }
      registry.setAlias(RESOLVE_MODEL, "champion", 7);
    }
    int have = registry.findModel(SEARCH_MODEL).isEmpty() ? 0 : registry.listVersions(SEARCH_MODEL).size();
    if (have < SEARCH_VERSIONS) {
      System.out.printf("Registering %d versions of %s (once)%n", SEARCH_VERSIONS - have, SEARCH_MODEL);
      for (int i = have; i < SEARCH_VERSIONS; i++) {
        registry.register(SEARCH_MODEL, Registration.builder().tag("p8.team", "ml").tag("p8.i", Integer.toString(i))
            .param("lr", "0.01").metric("accuracy", 0.9).build());
      }
    }
    if (!registry.getModel(SEARCH_MODEL).aliases().containsKey("champion")) {
      registry.setAlias(SEARCH_MODEL, "champion", SEARCH_VERSIONS / 2);
    }
    if (registry.findModel(DOWNLOAD_MODEL).isEmpty()) {
      registry.register(DOWNLOAD_MODEL, Registration.builder().file("model.bin", file).build());
    }
  }

  /** Before each iteration: the Python side runs the same operation for as long (or as often). */
  @Setup(Level.Iteration)
  public void pythonRound(BenchmarkParams benchmark, IterationParams iteration) throws IOException {
    String method = benchmark.getBenchmark().substring(benchmark.getBenchmark().lastIndexOf('.') + 1);
    String op = switch (method) {
      case "rawGetModel", "rawGetModelBlocking", "rawGetAlias", "resolve" -> "resolve";
      case "resolveBusy" -> "resolve_busy";
      default -> method;
    };
    double seconds = iteration.getTime().convertTo(TimeUnit.MILLISECONDS) / 1000.0;
    PythonMlflowSide.Round round = python.runFor(op, seconds);
    if (iteration.getType() == IterationType.MEASUREMENT) {
      rounds.computeIfAbsent(method, k -> new ArrayList<>()).add(round);
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException, InterruptedException {
    for (String model : List.of(registerJava, registerPy)) {
      if (registry.findModel(model).isPresent()) {
        deleteFiles(model);
        registry.deleteModel(model);
      }
    }
    registry.close();
    python.close();
    try (Stream<Path> files = Files.walk(scratch)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
    StringBuilder lines = new StringBuilder();
    rounds.forEach((method, list) -> {
      ListStatistics stats = new ListStatistics();
      long calls = 0;
      for (PythonMlflowSide.Round r : list) {
        stats.addValue(r.millisPerCall());
        calls += r.calls();
      }
      String op = list.get(0).op();
      System.out.printf("%nPython %s, in rounds interleaved with %s: %.3f ± %.3f ms/op (99.9 %%; %d rounds, %d calls,"
          + " min %.3f, max %.3f)%n", op, method, stats.getMean(), stats.getMeanErrorAt(0.999), list.size(), calls,
          stats.getMin(), stats.getMax());
      lines.append(String.format("{\"benchmark\":\"%s\",\"python_op\":\"%s\",\"mean_ms\":%.4f,\"error_ms\":%.4f,"
          + "\"rounds\":%d,\"calls\":%d,\"per_round_ms\":%s}%n", method, op, stats.getMean(),
          stats.getMeanErrorAt(0.999), list.size(), calls, list.stream().map(r -> String.format("%.4f", r.millisPerCall()))
              .toList()));
    });
    Path out = Path.of(System.getProperty("modelreg.bench.python-out", "target/p8-real-python.jsonl")).toAbsolutePath();
    Files.createDirectories(out.getParent());
    Files.writeString(out, lines, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
  }

  /**
   * Deletes the files of every version of {@code model} through the artifact proxy: each register call leaves 10 MiB
   * (Java's upload directory, Python's run), and a 16-round run of both sides about 4 GB, which filled this
   * machine's disk after a few runs. Each version's {@code source} is the directory of its files on both sides.
   */
  private void deleteFiles(String model) throws IOException, InterruptedException {
    String base = server().toString();
    com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
    String token = "";
    do {
      String query = "filter=" + java.net.URLEncoder.encode("name = '" + model + "'", java.nio.charset.StandardCharsets.UTF_8)
          + "&max_results=1000" + (token.isEmpty() ? "" : "&page_token=" + java.net.URLEncoder.encode(token,
          java.nio.charset.StandardCharsets.UTF_8));
      com.fasterxml.jackson.databind.JsonNode page = json.readTree(http.send(HttpRequest.newBuilder(
          URI.create(base + "/api/2.0/mlflow/model-versions/search?" + query)).build(),
          HttpResponse.BodyHandlers.ofString()).body());
      for (com.fasterxml.jackson.databind.JsonNode v : page.path("model_versions")) {
        String source = v.path("source").asText("");
        if (source.startsWith("mlflow-artifacts:/")) {
          String path = source.substring("mlflow-artifacts:/".length()).replaceFirst("^/+", "");
          http.send(HttpRequest.newBuilder(URI.create(base + "/api/2.0/mlflow-artifacts/artifacts/" + path)).DELETE().build(),
              HttpResponse.BodyHandlers.discarding());
        }
      }
      token = page.path("next_page_token").asText("");
    } while (!token.isEmpty());
  }

  @Benchmark
  public ModelVersion resolve() {
    return registry.resolve("models:/" + RESOLVE_MODEL + "@champion");
  }

  /** The same resolve on a model with 1,000 versions ({@code champion} on 500), where {@code registered-models/get} is heavy. */
  @Benchmark
  public ModelVersion resolveBusy() {
    return registry.resolve("models:/" + SEARCH_MODEL + "@champion");
  }

  @Benchmark
  public String rawGetModel() throws IOException, InterruptedException {
    return http.send(getModel, HttpResponse.BodyHandlers.ofString()).body();
  }

  /** The same request as {@link #rawGetModel} on a blocking socket in the calling thread ({@code HttpURLConnection}). */
  @Benchmark
  public byte[] rawGetModelBlocking() throws IOException {
    java.net.HttpURLConnection c = (java.net.HttpURLConnection) getModel.uri().toURL().openConnection();
    c.setRequestProperty("Content-Type", "application/json");
    try (java.io.InputStream in = c.getInputStream()) {
      return in.readAllBytes();
    }
  }

  @Benchmark
  public String rawGetAlias() throws IOException, InterruptedException {
    return http.send(getAlias, HttpResponse.BodyHandlers.ofString()).body();
  }

  @Benchmark
  public List<ModelVersion> search() {
    List<ModelVersion> found = registry.searchVersions(SEARCH_FILTER);
    if (found.size() != SEARCH_VERSIONS) {
      throw new IllegalStateException("search found " + found.size() + " versions, " + SEARCH_VERSIONS + " expected");
    }
    return found;
  }

  /** 16 rounds: the server's commits stall now and then (10 MiB written per call), and 8 rounds left ± 30 %. */
  @Benchmark
  @Warmup(iterations = 2, time = 3)
  @Measurement(iterations = 16, time = 3)
  public ModelVersion register() {
    return registry.register(registerJava, Registration.builder().file("model.bin", file).build());
  }

  @Benchmark
  @Warmup(iterations = 2, time = 3)
  @Measurement(iterations = 8, time = 3)
  public Path download() throws IOException {
    Path target = Files.createTempDirectory(scratch, "dl");
    try {
      return registry.download(registry.getVersion(DOWNLOAD_MODEL, 1), target);
    } finally {
      try (Stream<Path> files = Files.walk(target)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> {
          try {
            Files.delete(p);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
      }
    }
  }
}
