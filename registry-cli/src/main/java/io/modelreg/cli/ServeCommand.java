package io.modelreg.cli;

import io.modelreg.ModelRegistry;
import io.modelreg.inference.ModelPredictor;
import io.modelreg.inference.pool.MemoryBudget;
import io.modelreg.inference.pool.ModelPool;
import io.modelreg.server.RegistryServer;
import io.modelreg.server.ServerOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code modelreg serve}: the registry server ({@code registry-server}) over the chosen registry until Ctrl+C.
 * The write token comes from {@code --token-file} or {@code MODELREG_SERVER_TOKEN} (never a command-line value,
 * which other users can read from the process list), else it is generated and printed.
 */
@Command(name = "serve", description = "Serve the REST API, live events, metrics and the web console over the registry until Ctrl+C.")
final class ServeCommand extends Base {
  static final String TOKEN_ENV = "MODELREG_SERVER_TOKEN";
  /** Servers started by this JVM's serve commands, so tests can stop them; the command waits on {@link #STOP}. */
  static final List<CountDownLatch> RUNNING = new CopyOnWriteArrayList<>();

  @Option(names = "--host", paramLabel = "ADDRESS", description = "Address to bind; default 127.0.0.1 (loopback only)")
  String host = "127.0.0.1";

  @Option(names = "--port", paramLabel = "PORT", description = "Port; 0 picks a free one; default 7070")
  int port = 7070;

  @Option(names = "--token-file", paramLabel = "FILE", description = "File holding the bearer token writes need; else $" + TOKEN_ENV + ", else a new one is printed")
  @Nullable Path tokenFile;

  @Option(names = "--read-only", description = "Refuse every change; serve reads, renders and events")
  boolean readOnly;

  @Option(names = "--cors-origin", paramLabel = "ORIGIN", description = "An origin (https://host[:port]) whose pages may call the API; repeatable; default none")
  List<String> corsOrigins = new ArrayList<>();

  @Option(names = "--max-body-bytes", paramLabel = "N", description = "Largest request body; default 65536")
  int maxBodyBytes = ServerOptions.DEFAULT_MAX_BODY_BYTES;

  @Option(names = "--pool", paramLabel = "URI", description = "Load this model URI into a model pool the console's Live page shows (models:/churn@production); repeatable")
  List<String> pool = new ArrayList<>();

  @Option(names = "--pool-budget-mb", paramLabel = "MB", description = "The pool's memory budget; default: automatic (available memory minus heap and headroom)")
  @Nullable Long poolBudgetMb;

  @Override
  void run() throws IOException, InterruptedException {
    // Jetty's start and stop lines are noise next to what serve prints; its warnings still show
    if (System.getProperty("org.slf4j.simpleLogger.log.org.eclipse.jetty") == null) {
      System.setProperty("org.slf4j.simpleLogger.log.org.eclipse.jetty", "warn");
    }
    ServerOptions.Builder options = ServerOptions.builder().host(host).port(port).readOnly(readOnly).maxBodyBytes(maxBodyBytes);
    String token = token();
    if (token != null) {
      options.token(token);
    }
    if (!corsOrigins.isEmpty()) {
      options.corsOrigins(new LinkedHashSet<>(corsOrigins));
    }
    try (ModelRegistry registry = root().open(); ModelPool<ModelPredictor> models = pool(registry)) {
      if (models != null) {
        options.pool(models);
      }
      CountDownLatch stop = new CountDownLatch(1);
      try (RegistryServer server = RegistryServer.start(registry, options.build())) {
        Thread hook = new Thread(stop::countDown, "modelreg-serve-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        RUNNING.add(stop);
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("url", server.uri().toString());
        info.put("console", server.consoleUri().toString());
        info.put("registry", registry.describe());
        info.put("readOnly", readOnly);
        info.put("token", readOnly || token != null ? null : server.token());
        info.put("pool", pool);
        print(info, "modelreg server on " + server.uri() + " over " + registry.describe() + (readOnly ? " (read-only)" : "")
            + "\n  console:  " + server.consoleUri()
            + (readOnly ? "" : token != null ? "\n  token:    as given" : "\n  token:    " + server.token() + "  (writes: Authorization: Bearer <token>)")
            + "\n  API:      " + server.uri() + "api/v1  (OpenAPI: " + server.uri() + "api/v1/openapi.json)"
            + "\n  metrics:  " + server.uri() + "metrics"
            + "\nCtrl+C stops it.");
        try {
          stop.await();
        } finally {
          RUNNING.remove(stop);
          try {
            Runtime.getRuntime().removeShutdownHook(hook);
          } catch (IllegalStateException e) {
            // already shutting down
          }
        }
      }
    }
  }

  private @Nullable String token() throws IOException {
    if (tokenFile != null) {
      return Files.readString(tokenFile, StandardCharsets.UTF_8).strip();
    }
    String fromEnv = root().env(TOKEN_ENV);
    return fromEnv == null || fromEnv.isBlank() ? null : fromEnv.strip();
  }

  private @Nullable ModelPool<ModelPredictor> pool(ModelRegistry registry) {
    if (pool.isEmpty()) {
      return null;
    }
    ModelPool.Builder<ModelPredictor> b = ModelPool.builder(registry);
    if (poolBudgetMb != null) {
      b.budget(MemoryBudget.bytes(poolBudgetMb * 1024 * 1024));
    }
    ModelPool<ModelPredictor> p = b.build();
    Set<String> uris = new LinkedHashSet<>(pool);
    try {
      for (String uri : uris) {
        p.pin(uri);
      }
    } catch (RuntimeException e) {
      p.close();
      throw e;
    }
    return p;
  }

  /** Stops every serve command running in this JVM (tests). */
  static void stopAll() {
    for (CountDownLatch l : RUNNING) {
      l.countDown();
    }
  }
}
