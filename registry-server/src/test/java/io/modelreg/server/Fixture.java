package io.modelreg.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelreg.ModelRegistries;
import io.modelreg.ModelRegistry;
import io.modelreg.PromotionPolicy;
import io.modelreg.Registration;
import io.modelreg.RegistryOptions;
import io.modelreg.Signature;
import io.modelreg.Stage;
import io.modelreg.mem.MemoryRegistryStore;
import io.modelreg.prompts.PromptRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A registry with a model {@code churn} (v1 1.0.0 in PRODUCTION with alias champion, v2 1.1.0 in STAGING, v3
 * 1.2.0 in DEVELOPMENT), a model {@code fraud}, a prompt {@code greet}, and an HTTP client for a server over it.
 */
final class Fixture implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();
  static final byte[] MODEL_V1 = "model one bytes".getBytes(StandardCharsets.UTF_8);

  final MemoryRegistryStore store = MemoryRegistryStore.create();
  final ModelRegistry registry;
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  RegistryServer server;

  Fixture() {
    this(ServerOptions.defaults());
  }

  Fixture(ServerOptions options) {
    registry = ModelRegistries.create(store, RegistryOptions.builder().actor("ci")
        .promotionPolicy(Stage.PRODUCTION, PromotionPolicy.metricAtLeast("accuracy", 0.85))
        .watchPollInterval(Duration.ofMillis(50)).build());
    Signature sig = new Signature(List.of(Signature.Field.column("f0", "double")), List.of(Signature.Field.column("p", "double")));
    registry.register("churn", Registration.builder().bytes("model.onnx", MODEL_V1).bytes("conf/pre.json", "{}".getBytes(StandardCharsets.UTF_8))
        .semver("1.0.0").metric("accuracy", 0.90).param("lr", "0.1").signature(sig).tag("team", "growth").build());
    registry.register("churn", Registration.builder().bytes("model.onnx", "model two".getBytes(StandardCharsets.UTF_8))
        .semver("1.1.0").metric("accuracy", 0.93).param("lr", "0.05").signature(sig).build());
    registry.register("churn", Registration.builder().bytes("model.onnx", "model three".getBytes(StandardCharsets.UTF_8))
        .semver("1.2.0").metric("accuracy", 0.70).build());
    registry.transition("churn", 1, Stage.STAGING);
    registry.transition("churn", 1, Stage.PRODUCTION);
    registry.transition("churn", 2, Stage.STAGING);
    registry.setAlias("churn", "champion", 1);
    registry.register("fraud", Registration.builder().bytes("m.bin", new byte[] {1, 2, 3}).semver("0.1.0").build());
    PromptRegistry.on(registry).register("greet", "Hello {name}!", "1.0.0", "first");
    server = RegistryServer.start(registry, options);
  }

  void restart(ServerOptions options) {
    server.close();
    server = RegistryServer.start(registry, options);
  }

  URI uri(String path) {
    return server.uri().resolve(path.startsWith("/") ? path.substring(1) : path);
  }

  HttpResponse<String> get(String path, String... headers) {
    return send(HttpRequest.newBuilder(uri(path)).GET(), headers);
  }

  HttpResponse<String> write(String method, String path, String body, boolean token, String... headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri(path))
        .method(method, body.isEmpty() ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (!body.isEmpty()) {
      b.header("Content-Type", "application/json");
    }
    if (token) {
      b.header("Authorization", "Bearer " + server.token());
    }
    return send(b, headers);
  }

  HttpResponse<String> send(HttpRequest.Builder b, String... headers) {
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    try {
      return http.send(b.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static JsonNode json(HttpResponse<String> r) {
    try {
      return JSON.readTree(r.body());
    } catch (IOException e) {
      throw new AssertionError("Not JSON (" + r.statusCode() + "): " + r.body(), e);
    }
  }

  static Map<String, Object> map(Object... kv) {
    java.util.LinkedHashMap<String, Object> m = new java.util.LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return m;
  }

  @Override
  public void close() {
    server.close();
    registry.close();
  }
}
