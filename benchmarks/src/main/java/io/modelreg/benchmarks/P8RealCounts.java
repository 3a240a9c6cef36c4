package io.modelreg.benchmarks;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.modelreg.ModelRegistry;
import io.modelreg.Registration;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;

/**
 * The request counts of P8-real: each operation of {@link MlflowRealBenchmark}, on both sides, once through a
 * counting reverse proxy on loopback in front of the same server, untimed. Each operation runs once first (so
 * caches and connections are as in the steady state the benchmark measures), then once counted; the requests
 * are listed by method and endpoint.
 *
 * <p>Run: {@code java -Dmodelreg.bench.mlflow=http://127.0.0.1:5000 -Dmodelreg.bench.python=python3 -cp
 * benchmarks/target/benchmarks.jar io.modelreg.benchmarks.P8RealCounts}
 */
public final class P8RealCounts {
  /** Request headers the JDK client sets itself and refuses from callers. */
  private static final Set<String> RESTRICTED = Set.of("connection", "content-length", "host", "expect", "upgrade",
      "transfer-encoding", "keep-alive");

  private final URI target;
  private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final Map<String, Integer> counts = new TreeMap<>();

  private P8RealCounts(URI target) {
    this.target = target;
  }

  public static void main(String[] args) throws Exception {
    URI server = MlflowRealBenchmark.server();
    P8RealCounts proxy = new P8RealCounts(server);
    HttpServer http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    http.setExecutor(pool);
    http.createContext("/", proxy::forward);
    http.start();
    URI front = URI.create("http://127.0.0.1:" + http.getAddress().getPort());
    Path file = MlflowRealBenchmark.tenMibFile();
    Path scratch = Files.createTempDirectory("p8-real-counts");
    try (ModelRegistry registry = MlflowRealBenchmark.open(front)) {
      MlflowRealBenchmark.prepare(registry, file);
      Map<String, Runnable> java = new TreeMap<>(Map.of(
          "resolve", () -> registry.resolve("models:/" + MlflowRealBenchmark.RESOLVE_MODEL + "@champion"),
          "resolve_busy", () -> registry.resolve("models:/" + MlflowRealBenchmark.SEARCH_MODEL + "@champion"),
          "search", () -> registry.searchVersions(MlflowRealBenchmark.SEARCH_FILTER),
          "register", () -> registry.register(MlflowRealBenchmark.REGISTER_JAVA,
              Registration.builder().file("model.bin", file).build()),
          "download", () -> {
            try {
              registry.download(registry.getVersion(MlflowRealBenchmark.DOWNLOAD_MODEL, 1),
                  Files.createTempDirectory(scratch, "dl"));
            } catch (IOException e) {
              throw new IllegalStateException(e);
            }
          }));
      for (Map.Entry<String, Runnable> op : java.entrySet()) {
        op.getValue().run();
        proxy.reset();
        op.getValue().run();
        proxy.report("Java", op.getKey());
      }
    }
    try (PythonMlflowSide python = new PythonMlflowSide(front, MlflowRealBenchmark.RESOLVE_MODEL,
        MlflowRealBenchmark.SEARCH_FILTER, MlflowRealBenchmark.REGISTER_PY, MlflowRealBenchmark.DOWNLOAD_MODEL, file,
        MlflowRealBenchmark.SEARCH_MODEL)) {
      for (String op : new String[] {"download", "get_model", "register", "resolve", "resolve_busy", "search"}) {
        python.runTimes(op, 1);
        proxy.reset();
        python.runTimes(op, 1);
        proxy.report("Python", op);
      }
    } finally {
      http.stop(0);
      pool.shutdown();
      try (Stream<Path> files = Files.walk(scratch)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private synchronized void reset() {
    counts.clear();
  }

  private synchronized void report(String side, String op) {
    int total = counts.values().stream().mapToInt(Integer::intValue).sum();
    System.out.printf("%-6s %-9s %3d requests  %s%n", side, op, total, counts);
  }

  private synchronized void count(String key) {
    counts.merge(key, 1, Integer::sum);
  }

  /** Forwards one request to the server as it came and counts it by method and endpoint (artifact paths folded). */
  private void forward(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getRawPath();
      String query = exchange.getRequestURI().getRawQuery();
      String endpoint = path.startsWith("/api/2.0/mlflow-artifacts/artifacts/") ? "/api/2.0/mlflow-artifacts/artifacts/…"
          : path;
      count(exchange.getRequestMethod() + " " + endpoint.replaceFirst("^/api/2\\.0/mlflow(-artifacts)?/", ""));
      byte[] body;
      try (InputStream in = exchange.getRequestBody()) {
        body = in.readAllBytes();
      }
      HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(target + path + (query == null ? "" : "?" + query)))
          .method(exchange.getRequestMethod(), body.length == 0 && !exchange.getRequestMethod().equals("PUT")
              ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
      exchange.getRequestHeaders().forEach((name, values) -> {
        if (!RESTRICTED.contains(name.toLowerCase(java.util.Locale.ROOT))) {
          values.forEach(v -> request.header(name, v));
        }
      });
      HttpResponse<byte[]> response;
      try {
        response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException(e);
      }
      response.headers().firstValue("Content-Type").ifPresent(v -> exchange.getResponseHeaders().add("Content-Type", v));
      byte[] answer = response.body();
      exchange.sendResponseHeaders(response.statusCode(), answer.length == 0 ? -1 : answer.length);
      if (answer.length > 0) {
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(answer);
        }
      }
    }
  }
}
