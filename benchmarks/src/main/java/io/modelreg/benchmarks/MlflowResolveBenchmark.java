package io.modelreg.benchmarks;

import io.modelreg.ModelRegistries;
import io.modelreg.ModelRegistry;
import io.modelreg.ModelVersion;
import io.modelreg.Registration;
import io.modelreg.RegistryOptions;
import io.modelreg.mlflow.FakeMlflowServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * P8: {@code resolve("models:/m@champion")} on the {@code mlflow:} store, against the stand-in MLflow server
 * on loopback (not a real one: it answers from memory, so the round trip is the JDK's HTTP stack on both
 * ends). Cached: the registry's cache is warm. Uncached: the registry's cache is off, every resolve asks the
 * server for the model and takes the versions from the store's version cache while the model's change
 * token holds. Cold: both caches off, the model and a page of versions. Baseline: one {@code GET
 * registered-models/get} round trip with the JDK {@link HttpClient}, so the ratios read as round trips.
 *
 * <p>Run: {@code ./mvnw -pl benchmarks -am package -DskipTests && java -jar benchmarks/target/benchmarks.jar
 * MlflowResolveBenchmark}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class MlflowResolveBenchmark {
  private FakeMlflowServer server;
  private ModelRegistry cached;
  private ModelRegistry uncached;
  private ModelRegistry cold;
  private HttpClient http;
  private HttpRequest getModel;

  @Setup
  public void setUp() throws IOException {
    server = new FakeMlflowServer().withoutProtocolChecks();
    String uri = "mlflow://" + server.uri().getAuthority();
    cached = ModelRegistries.open(uri, RegistryOptions.builder().cacheTtl(Duration.ofHours(1)).build());
    uncached = ModelRegistries.open(uri, RegistryOptions.builder().cacheTtl(Duration.ZERO).build());
    cold = ModelRegistries.open(uri, RegistryOptions.builder().cacheTtl(Duration.ZERO)
        .storeOption("mlflow.version-cache-ttl", "PT0S").build());
    for (int i = 0; i < 10; i++) {
      cached.register("m", Registration.builder().bytes("model.bin", new byte[] {(byte) i}).build());
    }
    cached.setAlias("m", "champion", 7);
    cached.resolve("models:/m@champion");
    http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    getModel = HttpRequest.newBuilder(URI.create(server.uri() + "/api/2.0/mlflow/registered-models/get?name=m")).build();
  }

  @TearDown
  public void tearDown() {
    cached.close();
    uncached.close();
    cold.close();
    server.close();
  }

  @Benchmark
  public ModelVersion cachedResolve() {
    return cached.resolve("models:/m@champion");
  }

  @Benchmark
  public ModelVersion uncachedResolve() {
    return uncached.resolve("models:/m@champion");
  }

  @Benchmark
  public ModelVersion coldResolve() {
    return cold.resolve("models:/m@champion");
  }

  @Benchmark
  public String baselineOneRoundTrip() throws IOException, InterruptedException {
    return http.send(getModel, HttpResponse.BodyHandlers.ofString()).body();
  }
}
