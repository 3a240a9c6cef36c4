package io.modelreg.benchmarks;

import com.sun.net.httpserver.HttpServer;
import io.modelreg.ModelRegistries;
import io.modelreg.ModelRegistry;
import io.modelreg.Registration;
import io.modelreg.server.RegistryServer;
import io.modelreg.server.ServerOptions;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * P10: {@code GET /api/v1/models/m/versions/@champion} on {@code registry-server} over a {@code file:} registry,
 * loaded by {@code wrk} (Debian) on loopback, against the floor: the JDK's {@code HttpServer} answering the
 * same bytes as a fixed body. Both run in this JVM, alternately, {@code rounds} times each after a warm-up;
 * wrk gets {@code threads} threads and {@code connections} connections for {@code seconds} seconds a round.
 * Prints {@code P10 ...} lines: requests/s and p99 latency per round, the medians, and the ratios.
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar io.modelreg.benchmarks.HttpResolveLoad [seconds
 * [rounds [threads [connections]]]]} (defaults 10 3 2 16). Needs {@code /usr/bin/wrk}.
 */
public final class HttpResolveLoad {
  private static final Pattern RPS = Pattern.compile("Requests/sec:\\s+([0-9.]+)");
  private static final Pattern P99 = Pattern.compile("\\s99%\\s+([0-9.]+)(us|ms|s)");
  private static final Pattern NON2XX = Pattern.compile("Non-2xx or 3xx responses: (\\d+)");

  private HttpResolveLoad() {}

  record Round(double rps, double p99Millis) {}

  public static void main(String[] args) throws Exception {
    // Without TCP_NODELAY the JDK server's separate header and body writes meet delayed ACKs: ~40 ms a request
    System.setProperty("sun.net.httpserver.nodelay", "true");
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    int threads = args.length > 2 ? Integer.parseInt(args[2]) : 2;
    int connections = args.length > 3 ? Integer.parseInt(args[3]) : 16;
    Path dir = Files.createTempDirectory("p10");
    try (ModelRegistry registry = ModelRegistries.open(dir.resolve("registry").toUri())) {
      registry.register("m", Registration.builder().bytes("model.bin", new byte[1024]).semver("1.0.0")
          .metric("accuracy", 0.91).tag("team", "ml").build());
      registry.setAlias("m", "champion", 1);
      try (RegistryServer server = RegistryServer.start(registry, ServerOptions.defaults())) {
        URI target = server.uri().resolve("api/v1/models/m/versions/@champion");
        HttpResponse<byte[]> sample = HttpClient.newHttpClient().send(HttpRequest.newBuilder(target).build(),
            HttpResponse.BodyHandlers.ofByteArray());
        if (sample.statusCode() != 200) {
          throw new IllegalStateException("GET " + target + " answered " + sample.statusCode());
        }
        byte[] body = sample.body();
        HttpServer floor = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 128);
        floor.setExecutor(Executors.newFixedThreadPool(Math.max(4, connections)));
        floor.createContext("/", exchange -> {
          exchange.getResponseHeaders().set("Content-Type", "application/json");
          exchange.sendResponseHeaders(200, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
        floor.start();
        try {
          String floorUri = "http://127.0.0.1:" + floor.getAddress().getPort() + "/api/v1/models/m/versions/@champion";
          System.out.printf(Locale.ROOT, "P10 body %d bytes; wrk -t%d -c%d -d%ds, %d rounds each, %s, %d cores%n", body.length,
              threads, connections, seconds, rounds, System.getProperty("java.vm.version"), Runtime.getRuntime().availableProcessors());
          wrk(target.toString(), 5, threads, connections);
          wrk(floorUri, 5, threads, connections);
          List<Round> ours = new ArrayList<>();
          List<Round> base = new ArrayList<>();
          for (int i = 0; i < rounds; i++) {
            ours.add(wrk(target.toString(), seconds, threads, connections));
            base.add(wrk(floorUri, seconds, threads, connections));
            System.out.printf(Locale.ROOT, "P10 round %d: server %.0f req/s p99 %.2f ms | JDK HttpServer fixed body %.0f req/s p99 %.2f ms%n",
                i + 1, ours.get(i).rps(), ours.get(i).p99Millis(), base.get(i).rps(), base.get(i).p99Millis());
          }
          double oRps = median(ours.stream().map(Round::rps).toList());
          double bRps = median(base.stream().map(Round::rps).toList());
          double oP99 = median(ours.stream().map(Round::p99Millis).toList());
          double bP99 = median(base.stream().map(Round::p99Millis).toList());
          System.out.printf(Locale.ROOT, "P10 median: server %.0f req/s p99 %.2f ms; floor %.0f req/s p99 %.2f ms; "
              + "throughput %.2fx the floor, p99 %.2fx the floor%n", oRps, oP99, bRps, bP99, oRps / bRps, oP99 / bP99);
        } finally {
          floor.stop(0);
        }
      }
    }
  }

  private static double median(List<Double> xs) {
    List<Double> s = new ArrayList<>(xs);
    s.sort(null);
    return s.get(s.size() / 2);
  }

  private static Round wrk(String uri, int seconds, int threads, int connections) throws IOException, InterruptedException {
    Process p = new ProcessBuilder("wrk", "-t" + threads, "-c" + connections, "-d" + seconds + "s", "--latency", uri)
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IllegalStateException("wrk failed: " + out);
    }
    Matcher non2xx = NON2XX.matcher(out);
    if (non2xx.find()) {
      throw new IllegalStateException(non2xx.group(1) + " requests failed: " + out);
    }
    Matcher rps = RPS.matcher(out);
    Matcher p99 = P99.matcher(out);
    if (!rps.find() || !p99.find()) {
      throw new IllegalStateException("Unexpected wrk output: " + out);
    }
    double v = Double.parseDouble(p99.group(1));
    double millis = p99.group(2).equals("us") ? v / 1000 : p99.group(2).equals("s") ? v * 1000 : v;
    return new Round(Double.parseDouble(rps.group(1)), millis);
  }
}
