package io.modelreg.mlflow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.util.function.Supplier;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.jspecify.annotations.Nullable;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A stand-in for an MLflow tracking server (3.1, SQLite, artifact proxy on), on loopback port 0, faithful to
 * shared/MLFLOW.md in the points the registry uses: JSON in and out with empty fields omitted, string
 * versions, epoch-millisecond timestamps, errors as {@code error_code} + {@code message} with MLflow's
 * statuses (400 for a missing alias, 500 for a missing artifact), DELETE with a JSON body (a POST to a
 * delete endpoint answers 405 with HTML), search results without aliases, prompts hidden from a plain model
 * search, and the artifact proxy. It can inject faults: 503 bursts, latency, {@code Connection: close}.
 *
 * <p>What it answers is held to what a real MLflow 3.1.3 server answered to the same requests, recorded in {@code
 * src/test/resources/mlflow-recorded/} ({@link MlflowReplayTest}): fields, empty strings, order of lists, update
 * times, error codes and messages, refused sources and filters.
 */
public final class FakeMlflowServer implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String API = "/api/2.0/mlflow/";
  private static final String PROMPT_TAG = "mlflow.prompt.is_prompt";
  private static final String ARTIFACTS = "/api/2.0/mlflow-artifacts/artifacts";

  private final HttpServer server;
  private final ExecutorService executor = Executors.newFixedThreadPool(8);
  private final String scheme;
  private final Map<String, ObjectNode> models = new TreeMap<>();
  private final Map<String, TreeMap<Integer, ObjectNode>> versions = new HashMap<>();
  /**
   * Highest version number ever created per model: like MLflow's stores, a deleted version is a tombstone
   * that still counts, so numbers are not reused until the model itself is deleted.
   */
  private final Map<String, Integer> highestVersion = new HashMap<>();
  private final Map<String, ObjectNode> runs = new HashMap<>();
  /** MLflow 3 logged models by id: {@code model.info} as {@code logged-models/<id>} answers it. */
  private final Map<String, ObjectNode> loggedModels = new HashMap<>();
  private final Map<String, String> experiments = new LinkedHashMap<>();
  private final Map<String, Map<String, String>> experimentTags = new HashMap<>();
  private final Map<String, Long> experimentTimes = new HashMap<>();
  private final Map<String, byte[]> artifacts = new TreeMap<>();
  private final AtomicLong clock = new AtomicLong(1_760_000_000_000L);
  /** Fault injection: how many next requests answer 503, extra latency, whether to close connections. */
  final AtomicInteger failNext = new AtomicInteger();
  /** When set, the 503s of {@link #failNext} say {@code Retry-After} with this many seconds. */
  volatile int retryAfterSeconds;
  /**
   * How many {@code model-versions/get} polls a new version stays {@code PENDING_REGISTRATION} (as with a
   * slow artifact copy on a real server), and whether it then ends {@code FAILED_REGISTRATION}.
   */
  volatile int pendingPolls;
  volatile boolean failRegistrations;
  /** When set, requests without exactly this Authorization header get MLflow's 401. */
  volatile @Nullable String requiredAuthorization;
  private volatile boolean checkProtocol = true;
  /** Requests and answers that MLflow's protobuf messages do not take (see {@link MlflowProtocol}). */
  public final List<String> protocolViolations = new CopyOnWriteArrayList<>();
  volatile long latencyMillis;
  volatile boolean connectionClose;
  /** Requests ({@code "METHOD /path body"}) that answer 503 while this matches them. */
  volatile @Nullable Predicate<String> failMatching;
  /** Told {@code "METHOD /path"} of each request as it arrives, before its body is read. */
  volatile java.util.function.@Nullable Consumer<String> onArrival;
  /** How many next requests get their connection dropped without an answer. */
  final AtomicInteger dropNext = new AtomicInteger();
  public final AtomicInteger requests = new AtomicInteger();
  /** Bytes of response bodies sent, for tests that check what a read costs beyond its count. */
  public final AtomicLong bytesSent = new AtomicLong();

  static {
    // The JDK server leaves Nagle on; with delayed ACKs that adds ~40 ms to every small response, which a
    // real MLflow server (gunicorn/uvicorn set TCP_NODELAY) does not.
    System.setProperty("sun.net.httpserver.nodelay", "true");
  }

  public FakeMlflowServer() throws IOException {
    this(null);
  }

  /** A server over TLS when {@code tls} is given (see {@link #selfSignedTls}), else plain HTTP. */
  FakeMlflowServer(@Nullable SSLContext tls) throws IOException {
    experiments.put("0", "Default");
    InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    if (tls == null) {
      server = HttpServer.create(address, 0);
    } else {
      HttpsServer https = HttpsServer.create(address, 0);
      https.setHttpsConfigurator(new HttpsConfigurator(tls));
      server = https;
    }
    scheme = tls == null ? "http" : "https";
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
  }

  /** A TLS context with a fresh self-signed certificate, made by the JDK's keytool in {@code dir}. */
  static SSLContext selfSignedTls(Path dir) throws Exception {
    Path store = dir.resolve("server.p12");
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
        "-genkeypair", "-alias", "mlflow", "-keyalg", "EC", "-dname", "CN=localhost", "-validity", "2",
        "-keystore", store.toString(), "-storetype", "PKCS12", "-storepass", "changeit")
        .redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IllegalStateException("keytool failed: " + output);
    }
    KeyStore keys = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(store)) {
      keys.load(in, "changeit".toCharArray());
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(keys, "changeit".toCharArray());
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(kmf.getKeyManagers(), null, null);
    return context;
  }

  /**
   * Turns the protocol check off, for benchmarks: parsing every request and answer into protobuf messages
   * costs more than answering them, and would be measured as the server's round trip.
   */
  public FakeMlflowServer withoutProtocolChecks() {
    checkProtocol = false;
    return this;
  }

  public URI uri() {
    return URI.create(scheme + "://127.0.0.1:" + server.getAddress().getPort());
  }

  /**
   * Stops the server. Traffic off MLflow's protocol fails the test that caused it here, also when the client
   * coped with the 400 or 500 it got; a test that sends such traffic on purpose clears the list first.
   */
  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
    if (!protocolViolations.isEmpty()) {
      throw new AssertionError("Off MLflow's protocol:\n" + String.join("\n", protocolViolations));
    }
  }

  private long now() {
    return clock.incrementAndGet();
  }

  // ------------------------------------------------------------------ plumbing

  private record Answer(int status, byte[] body, String type) {}

  private static Answer json(Object body) {
    try {
      return new Answer(200, JSON.writeValueAsBytes(body), "application/json");
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Answer error(int status, String code, String message) {
    ObjectNode o = JSON.createObjectNode().put("error_code", code).put("message", message);
    return new Answer(status, o.toString().getBytes(StandardCharsets.UTF_8), "application/json");
  }

  private void handle(HttpExchange ex) throws IOException {
    requests.incrementAndGet();
    try {
      if (latencyMillis > 0) {
        Thread.sleep(latencyMillis);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    java.util.function.Consumer<String> arrival = onArrival;
    if (arrival != null) {
      arrival.accept(ex.getRequestMethod() + " " + ex.getRequestURI().getPath());
    }
    Answer a;
    byte[] body = ex.getRequestBody().readAllBytes();
    if (dropNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      ex.close();
      return;
    }
    Predicate<String> failing = failMatching;
    String request = ex.getRequestMethod() + " " + ex.getRequestURI().getPath() + " " + new String(body, StandardCharsets.UTF_8);
    String required = requiredAuthorization;
    if (failNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0 || (failing != null && failing.test(request))) {
      a = error(503, "TEMPORARILY_UNAVAILABLE", "Service Unavailable");
    } else if (required != null && !required.equals(ex.getRequestHeaders().getFirst("Authorization"))) {
      a = error(401, "UNAUTHENTICATED", "You are not authenticated. Please provide valid credentials.");
    } else {
      try {
        synchronized (this) {
          a = route(ex.getRequestMethod(), ex.getRequestURI(), ex.getRequestHeaders().getFirst("Content-Type"), body);
        }
      } catch (RuntimeException e) {
        a = error(500, "INTERNAL_ERROR", e.toString());
      }
    }
    if (connectionClose) {
      ex.getResponseHeaders().add("Connection", "close");
    }
    if (a.status() == 503 && retryAfterSeconds > 0) {
      ex.getResponseHeaders().add("Retry-After", Integer.toString(retryAfterSeconds));
    }
    ex.getResponseHeaders().add("Content-Type", a.type());
    bytesSent.addAndGet(a.body().length);
    ex.sendResponseHeaders(a.status(), a.body().length == 0 ? -1 : a.body().length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(a.body());
    }
  }

  private static Map<String, String> query(URI uri) {
    Map<String, String> q = new HashMap<>();
    String raw = uri.getRawQuery();
    if (raw != null) {
      for (String pair : raw.split("&")) {
        int eq = pair.indexOf('=');
        if (eq > 0) {
          q.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
              URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
      }
    }
    return q;
  }

  /** Werkzeug's page for a method a route does not take, as MLflow (Flask) sends it. */
  static final String METHOD_NOT_ALLOWED = "<!doctype html>\n<html lang=en>\n<title>405 Method Not Allowed</title>\n"
      + "<h1>Method Not Allowed</h1>\n<p>The method is not allowed for the requested URL.</p>\n";
  /** Werkzeug's page for a path no route takes. */
  static final String NOT_FOUND = "<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n"
      + "<p>The requested URL was not found on the server. If you entered the URL manually please check your spelling and "
      + "try again.</p>\n";

  private static Answer html(int status, String page) {
    return new Answer(status, page.getBytes(StandardCharsets.UTF_8), "text/html; charset=utf-8");
  }

  private Answer route(String method, URI uri, @Nullable String contentType, byte[] raw) throws IOException {
    String path = uri.getPath();
    Map<String, String> q = query(uri);
    if (path.startsWith(ARTIFACTS)) {
      String key = path.substring(ARTIFACTS.length());
      return key.isEmpty() && method.equals("GET")
          ? checked("GET artifacts", JSON.createObjectNode(), q, () -> artifact(method, key, q, raw))
          : artifact(method, key, q, raw);
    }
    if (!path.startsWith(API)) {
      return html(404, NOT_FOUND);
    }
    String endpoint = path.substring(API.length());
    Answer refused = routing(method, endpoint);
    if (refused != null) {
      return refused;
    }
    // like MLflow: a request with a body must say it is JSON, before anything else is looked at
    if (!method.equals("GET")) {
      String media = contentType == null ? null : contentType.split(";")[0].trim();
      if (media == null || media.isEmpty()) {
        return error(400, "INVALID_PARAMETER_VALUE", "Bad Request. Content-Type header is missing.");
      }
      if (!media.equals("application/json")) {
        return error(400, "INVALID_PARAMETER_VALUE", "Bad Request. Content-Type must be one of ['application/json'].");
      }
    }
    JsonNode body = raw.length == 0 ? JSON.createObjectNode() : JSON.readTree(raw);
    return checked(method + " " + endpoint, body, q, () -> dispatch(method, endpoint, body, q));
  }

  /**
   * Runs a call whose request MLflow's protobuf message takes (else 400, as MLflow refuses a malformed
   * request), and checks a successful answer the same way (else 500: the stand-in itself is wrong). Both
   * kinds of violation are also kept in {@link #protocolViolations} for tests to assert on.
   */
  private Answer checked(String call, JsonNode body, Map<String, String> q, Supplier<Answer> handler) {
    if (!checkProtocol) {
      return handler.get();
    }
    String wrong = MlflowProtocol.checkRequest(call, body, q);
    if (wrong != null) {
      protocolViolations.add(wrong);
      return error(400, "INVALID_PARAMETER_VALUE", wrong);
    }
    Answer a = handler.get();
    if (a.status() == 200 && a.type().equals("application/json")) {
      wrong = MlflowProtocol.checkResponse(call, a.body());
      if (wrong != null) {
        protocolViolations.add(wrong);
        return error(500, "INTERNAL_ERROR", "stand-in answer off MLflow's protocol: " + wrong);
      }
    }
    return a;
  }

  /** The methods each endpoint takes, as MLflow's routes declare them. */
  private static final Map<String, Set<String>> ROUTES = Map.ofEntries(
      Map.entry("registered-models/create", Set.of("POST")), Map.entry("registered-models/get", Set.of("GET")),
      Map.entry("registered-models/search", Set.of("GET")), Map.entry("registered-models/update", Set.of("PATCH")),
      Map.entry("registered-models/delete", Set.of("DELETE")), Map.entry("registered-models/set-tag", Set.of("POST")),
      Map.entry("registered-models/delete-tag", Set.of("DELETE")),
      Map.entry("registered-models/alias", Set.of("GET", "POST", "DELETE")),
      Map.entry("model-versions/create", Set.of("POST")), Map.entry("model-versions/get", Set.of("GET")),
      Map.entry("model-versions/search", Set.of("GET")), Map.entry("model-versions/update", Set.of("PATCH")),
      Map.entry("model-versions/delete", Set.of("DELETE")), Map.entry("model-versions/set-tag", Set.of("POST")),
      Map.entry("model-versions/delete-tag", Set.of("DELETE")), Map.entry("model-versions/transition-stage", Set.of("POST")),
      Map.entry("runs/create", Set.of("POST")), Map.entry("runs/get", Set.of("GET")), Map.entry("runs/set-tag", Set.of("POST")),
      Map.entry("runs/log-batch", Set.of("POST")), Map.entry("runs/search", Set.of("POST", "GET")),
      Map.entry("runs/delete", Set.of("POST")), Map.entry("runs/update", Set.of("POST")),
      Map.entry("experiments/get-by-name", Set.of("GET")), Map.entry("experiments/create", Set.of("POST")),
      Map.entry("experiments/get", Set.of("GET")), Map.entry("experiments/set-experiment-tag", Set.of("POST")),
      Map.entry("logged-models", Set.of("POST")));

  /** Flask's answer to a path no route takes (404) or a method its route does not take (405); null when routed. */
  private static @Nullable Answer routing(String method, String endpoint) {
    Set<String> methods = ROUTES.get(endpoint);
    if (methods == null) {
      return endpoint.startsWith("logged-models/") && endpoint.indexOf('/', 14) < 0 ? null : html(404, NOT_FOUND);
    }
    return methods.contains(method) ? null : html(405, METHOD_NOT_ALLOWED);
  }

  private Answer dispatch(String method, String endpoint, JsonNode body, Map<String, String> q) {
    switch (method + " " + endpoint) {
      case "POST registered-models/create":
        return createModel(body);
      case "GET registered-models/get":
        return getModel(q.getOrDefault("name", ""));
      case "GET registered-models/search":
        return searchModels(q);
      case "PATCH registered-models/update":
        return updateModel(body);
      case "DELETE registered-models/delete":
        return deleteModel(body);
      case "POST registered-models/set-tag":
        return setModelTag(body);
      case "DELETE registered-models/delete-tag":
        return deleteModelTag(body);
      case "POST registered-models/alias":
        return setAlias(body);
      case "DELETE registered-models/alias":
        return deleteAlias(body);
      case "GET registered-models/alias":
        return getAlias(q);
      case "POST model-versions/create":
        return createVersion(body);
      case "GET model-versions/get":
        return getVersion(q.getOrDefault("name", ""), q.getOrDefault("version", ""));
      case "GET model-versions/search":
        return searchVersions(q);
      case "PATCH model-versions/update":
        return updateVersion(body);
      case "DELETE model-versions/delete":
        return deleteVersion(body);
      case "POST model-versions/set-tag":
        return setVersionTag(body);
      case "DELETE model-versions/delete-tag":
        return deleteVersionTag(body);
      case "POST model-versions/transition-stage":
        return transition(body);
      case "POST runs/create":
        return createRun(body);
      case "GET runs/get":
        return getRun(q.getOrDefault("run_id", ""));
      case "POST runs/set-tag":
        return setRunTag(body);
      case "POST runs/log-batch":
        return logBatch(body);
      case "POST runs/search":
        return searchRuns(body);
      case "POST runs/delete":
        return deleteRun(body);
      case "POST runs/update":
        return updateRun(body);
      case "GET experiments/get-by-name":
        return experimentByName(q.getOrDefault("experiment_name", ""));
      case "POST experiments/create":
        return createExperiment(body);
      case "GET experiments/get":
        return experiment(q.getOrDefault("experiment_id", ""));
      case "POST experiments/set-experiment-tag":
        return setExperimentTag(body);
      case "POST logged-models":
        return createLoggedModel(body);
      default:
        if (method.equals("GET") && endpoint.startsWith("logged-models/")) {
          String id = endpoint.substring("logged-models/".length());
          ObjectNode logged = loggedModels.get(id);
          return logged == null ? error(404, "RESOURCE_DOES_NOT_EXIST", "Logged model with ID '" + id + "' not found.")
              : json(JSON.createObjectNode().set("model", logged.deepCopy()));
        }
        return html(405, METHOD_NOT_ALLOWED);
    }
  }

  // ------------------------------------------------------------------ registered models

  private static void putTags(ObjectNode target, JsonNode tags) {
    ObjectNode t = (ObjectNode) target.get("_tags");
    for (JsonNode tag : tags) {
      t.put(tag.path("key").asText(), tag.path("value").asText());
    }
  }

  private Answer createModel(JsonNode body) {
    String name = body.path("name").asText();
    if (models.containsKey(name)) {
      return error(400, "RESOURCE_ALREADY_EXISTS", "Registered Model (name=" + name + ") already exists.");
    }
    ObjectNode m = JSON.createObjectNode();
    m.put("name", name);
    long t = now();
    m.put("creation_timestamp", t);
    m.put("last_updated_timestamp", t);
    if (body.hasNonNull("description") && !body.path("description").asText().isEmpty()) {
      m.put("description", body.path("description").asText());
    }
    m.set("_tags", JSON.createObjectNode());
    m.set("_aliases", JSON.createObjectNode());
    putTags(m, body.path("tags"));
    models.put(name, m);
    versions.put(name, new TreeMap<>());
    return json(JSON.createObjectNode().set("registered_model", modelView(m, true)));
  }

  private ObjectNode modelView(ObjectNode m, boolean withAliases) {
    ObjectNode o = JSON.createObjectNode();
    o.put("name", m.path("name").asText());
    o.put("creation_timestamp", m.path("creation_timestamp").asLong());
    o.put("last_updated_timestamp", m.path("last_updated_timestamp").asLong());
    if (m.has("description")) {
      o.put("description", m.path("description").asText());
    }
    ArrayNode tags = tagList(m.get("_tags"));
    if (!tags.isEmpty()) {
      o.set("tags", tags);
    }
    ArrayNode aliases = JSON.createArrayNode();
    // like MLflow: aliases by name, whatever order they were set in
    new TreeMap<>(aliasesOf(m)).forEach((alias, n) -> aliases.add(JSON.createObjectNode().put("alias", alias).put("version", n)));
    if (withAliases && !aliases.isEmpty()) {
      o.set("aliases", aliases);
    }
    TreeMap<Integer, ObjectNode> vs = versions.get(m.path("name").asText());
    if (vs != null && !vs.isEmpty()) {
      // like MLflow: the newest live version of each stage, stages in the order the oldest versions first show them
      Map<String, ObjectNode> latest = new LinkedHashMap<>();
      vs.values().forEach(v -> latest.put(v.path("current_stage").asText(), v));
      ArrayNode out = JSON.createArrayNode();
      latest.values().forEach(v -> out.add(versionView(v, false)));
      o.set("latest_versions", out);
    }
    return o;
  }

  private static Map<String, String> aliasesOf(ObjectNode m) {
    Map<String, String> out = new LinkedHashMap<>();
    m.get("_aliases").fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
    return out;
  }

  private static ArrayNode tagList(JsonNode tags) {
    ArrayNode out = JSON.createArrayNode();
    tags.fields().forEachRemaining(e -> out.add(JSON.createObjectNode().put("key", e.getKey()).put("value", e.getValue().asText())));
    return out;
  }

  private Answer missingModel(String name) {
    return error(404, "RESOURCE_DOES_NOT_EXIST", "Registered Model with name=" + name + " not found");
  }

  private Answer getModel(String name) {
    ObjectNode m = models.get(name);
    return m == null ? missingModel(name) : json(JSON.createObjectNode().set("registered_model", modelView(m, true)));
  }

  private Answer searchModels(Map<String, String> q) {
    String text = q.getOrDefault("filter", "");
    FakeSearchFilter filter;
    try {
      filter = new FakeSearchFilter(text, Set.of("name"));
    } catch (IllegalArgumentException e) {
      return error(400, "INVALID_PARAMETER_VALUE", e.getMessage());
    }
    // like MLflow 3: a search that does not ask for prompts does not show them
    boolean prompts = filter.asksForPrompts();
    if (!prompts) {
      filter = filter.without("tag", PROMPT_TAG);
    }
    List<ObjectNode> matches = new ArrayList<>();
    for (ObjectNode m : models.values()) {
      boolean isPrompt = "true".equals(m.get("_tags").path(PROMPT_TAG).asText(null));
      if ((prompts || !isPrompt) && filter.matches(m)) {
        matches.add(m);
      }
    }
    int max = Integer.parseInt(q.getOrDefault("max_results", "100"));
    int offset = q.containsKey("page_token") ? Integer.parseInt(q.get("page_token")) : 0;
    ObjectNode out = JSON.createObjectNode();
    ArrayNode list = JSON.createArrayNode();
    for (int i = offset; i < Math.min(matches.size(), offset + max); i++) {
      list.add(modelView(matches.get(i), true));
    }
    if (!list.isEmpty()) {
      out.set("registered_models", list);
    }
    if (offset + max < matches.size()) {
      out.put("next_page_token", Integer.toString(offset + max));
    }
    return json(out);
  }

  private Answer updateModel(JsonNode body) {
    ObjectNode m = models.get(body.path("name").asText());
    if (m == null) {
      return missingModel(body.path("name").asText());
    }
    if (body.path("description").asText("").isEmpty()) {
      m.remove("description");
    } else {
      m.put("description", body.path("description").asText());
    }
    m.put("last_updated_timestamp", now());
    return json(JSON.createObjectNode().set("registered_model", modelView(m, true)));
  }

  private Answer deleteModel(JsonNode body) {
    String name = body.path("name").asText();
    if (models.remove(name) == null) {
      return missingModel(name);
    }
    versions.remove(name);
    highestVersion.remove(name);
    return json(JSON.createObjectNode());
  }

  private Answer setModelTag(JsonNode body) {
    ObjectNode m = models.get(body.path("name").asText());
    if (m == null) {
      return missingModel(body.path("name").asText());
    }
    ((ObjectNode) m.get("_tags")).put(body.path("key").asText(), body.path("value").asText());
    return json(JSON.createObjectNode());
  }

  private Answer deleteModelTag(JsonNode body) {
    ObjectNode m = models.get(body.path("name").asText());
    if (m == null) {
      return missingModel(body.path("name").asText());
    }
    ((ObjectNode) m.get("_tags")).remove(body.path("key").asText());
    return json(JSON.createObjectNode());
  }

  private Answer setAlias(JsonNode body) {
    ObjectNode m = models.get(body.path("name").asText());
    // like MLflow: the version is looked up first, so a missing model is reported as a missing version
    if (m == null || version(body.path("name").asText(), body.path("version").asText()) == null) {
      return missingVersion(body.path("name").asText(), body.path("version").asText());
    }
    ((ObjectNode) m.get("_aliases")).put(body.path("alias").asText(), body.path("version").asText());
    return json(JSON.createObjectNode());
  }

  private Answer deleteAlias(JsonNode body) {
    ObjectNode m = models.get(body.path("name").asText());
    if (m == null) {
      return missingModel(body.path("name").asText());
    }
    ((ObjectNode) m.get("_aliases")).remove(body.path("alias").asText());
    return json(JSON.createObjectNode());
  }

  private Answer getAlias(Map<String, String> q) {
    ObjectNode m = models.get(q.getOrDefault("name", ""));
    String alias = q.getOrDefault("alias", "");
    if (m == null || !m.get("_aliases").has(alias)) {
      return error(400, "INVALID_PARAMETER_VALUE", "Registered model alias " + alias + " not found.");
    }
    return getVersion(q.get("name"), m.get("_aliases").path(alias).asText());
  }

  // ------------------------------------------------------------------ versions

  private Answer createVersion(JsonNode body) {
    String name = body.path("name").asText();
    String source = body.path("source").asText();
    boolean prompt = false;
    for (JsonNode t : body.path("tags")) {
      prompt |= t.path("key").asText().equals(PROMPT_TAG);
    }
    if (!prompt) {
      String refused = FakeSources.refusal(source);
      if (refused != null) {
        return error(400, "INVALID_PARAMETER_VALUE", refused);
      }
    }
    TreeMap<Integer, ObjectNode> vs = versions.get(name);
    if (vs == null) {
      return missingModel(name);
    }
    String loggedModel = FakeSources.loggedModelId(source);
    if (loggedModel != null && !loggedModels.containsKey(loggedModel)) {
      return error(500, "INTERNAL_ERROR", "Unable to fetch model from model URI source artifact location '" + source
          + "'.Error: Logged model with ID '" + loggedModel + "' not found.");
    }
    int number = highestVersion.merge(name, 1, Integer::sum);
    ObjectNode v = JSON.createObjectNode();
    v.put("name", name);
    v.put("version", Integer.toString(number));
    long t = now();
    v.put("creation_timestamp", t);
    v.put("last_updated_timestamp", t);
    models.get(name).put("last_updated_timestamp", t);
    v.put("current_stage", "None");
    // like MLflow: description and run_id are empty strings when not given, never left out; so is run_link
    v.put("description", body.path("description").asText(""));
    v.put("source", source);
    v.put("run_id", body.path("run_id").asText(""));
    if (pendingPolls > 0) {
      v.put("status", "PENDING_REGISTRATION");
      v.put("_polls", pendingPolls);
    } else {
      v.put("status", "READY");
    }
    v.set("_tags", JSON.createObjectNode());
    putTags(v, body.path("tags"));
    v.put("run_link", "");
    vs.put(number, v);
    return json(JSON.createObjectNode().set("model_version", versionView(v, true)));
  }

  private ObjectNode versionView(ObjectNode v, boolean withAliases) {
    ObjectNode o = v.deepCopy();
    o.remove("_tags");
    o.remove("_polls");
    o.remove("run_link");
    ArrayNode tags = tagList(v.get("_tags"));
    if (!tags.isEmpty()) {
      o.set("tags", tags);
    }
    o.put("run_link", v.path("run_link").asText(""));
    if (withAliases) {
      ObjectNode m = models.get(v.path("name").asText());
      ArrayNode aliases = JSON.createArrayNode();
      if (m != null) {
        new TreeMap<>(aliasesOf(m)).forEach((alias, n) -> {
          if (n.equals(v.path("version").asText())) {
            aliases.add(alias);
          }
        });
      }
      if (!aliases.isEmpty()) {
        o.set("aliases", aliases);
      }
    }
    return o;
  }

  private ObjectNode version(String name, String number) {
    TreeMap<Integer, ObjectNode> vs = versions.get(name);
    try {
      return vs == null ? null : vs.get(Integer.parseInt(number));
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private Answer missingVersion(String name, String number) {
    return error(404, "RESOURCE_DOES_NOT_EXIST", "Model Version (name=" + name + ", version=" + number + ") not found");
  }

  private Answer getVersion(String name, String number) {
    ObjectNode v = version(name, number);
    if (v != null && v.has("_polls") && v.path("_polls").asInt() <= 1) {
      v.remove("_polls");
      v.put("status", failRegistrations ? "FAILED_REGISTRATION" : "READY");
      if (failRegistrations) {
        v.put("status_message", "Copying the artifacts failed: access denied");
      }
    } else if (v != null && v.has("_polls")) {
      v.put("_polls", v.path("_polls").asInt() - 1);
    }
    return v == null ? missingVersion(name, number) : json(JSON.createObjectNode().set("model_version", versionView(v, true)));
  }

  private Answer searchVersions(Map<String, String> q) {
    FakeSearchFilter filter;
    try {
      filter = new FakeSearchFilter(q.getOrDefault("filter", ""), FakeSearchFilter.VERSION_ATTRIBUTES);
    } catch (IllegalArgumentException e) {
      return error(400, "INVALID_PARAMETER_VALUE", e.getMessage());
    }
    // like MLflow 3: versions of a model any of whose versions is a prompt are hidden unless prompts are asked for
    boolean prompts = filter.asksForPrompts();
    if (!prompts) {
      filter = filter.without("tag", PROMPT_TAG);
    }
    List<ObjectNode> matches = new ArrayList<>();
    for (TreeMap<Integer, ObjectNode> vs : versions.values()) {
      boolean promptModel = vs.values().stream().anyMatch(v -> "true".equals(v.get("_tags").path(PROMPT_TAG).asText(null)));
      for (ObjectNode v : vs.values()) {
        if ((prompts || !promptModel) && filter.matches(v)) {
          matches.add(v);
        }
      }
    }
    // MLflow's order: last update first, then name, then the higher version
    matches.sort(java.util.Comparator.<ObjectNode>comparingLong(v -> -v.path("last_updated_timestamp").asLong())
        .thenComparing(v -> v.path("name").asText())
        .thenComparingInt(v -> -Integer.parseInt(v.path("version").asText())));
    int max = Integer.parseInt(q.getOrDefault("max_results", "200"));
    int offset = q.containsKey("page_token") ? Integer.parseInt(q.get("page_token")) : 0;
    ObjectNode out = JSON.createObjectNode();
    ArrayNode list = JSON.createArrayNode();
    for (int i = offset; i < Math.min(matches.size(), offset + max); i++) {
      list.add(versionView(matches.get(i), false)); // real MLflow: no aliases in search results
    }
    if (!list.isEmpty()) {
      out.set("model_versions", list);
    }
    if (offset + max < matches.size()) {
      out.put("next_page_token", Integer.toString(offset + max));
    }
    return json(out);
  }

  private Answer updateVersion(JsonNode body) {
    ObjectNode v = version(body.path("name").asText(), body.path("version").asText());
    if (v == null) {
      return missingVersion(body.path("name").asText(), body.path("version").asText());
    }
    v.put("description", body.path("description").asText(""));
    v.put("last_updated_timestamp", now());
    return json(JSON.createObjectNode().set("model_version", versionView(v, true)));
  }

  private Answer deleteVersion(JsonNode body) {
    String name = body.path("name").asText();
    String number = body.path("version").asText();
    TreeMap<Integer, ObjectNode> vs = versions.get(name);
    if (vs == null || version(name, number) == null) {
      return missingVersion(name, number);
    }
    vs.remove(Integer.parseInt(number));
    // like MLflow 3.1: the model's update time moves, and aliases of the deleted version stay, pointing at it
    models.get(name).put("last_updated_timestamp", now());
    return json(JSON.createObjectNode());
  }

  private Answer setVersionTag(JsonNode body) {
    ObjectNode v = version(body.path("name").asText(), body.path("version").asText());
    if (v == null) {
      return missingVersion(body.path("name").asText(), body.path("version").asText());
    }
    ((ObjectNode) v.get("_tags")).put(body.path("key").asText(), body.path("value").asText());
    return json(JSON.createObjectNode());
  }

  private Answer deleteVersionTag(JsonNode body) {
    ObjectNode v = version(body.path("name").asText(), body.path("version").asText());
    if (v == null) {
      return missingVersion(body.path("name").asText(), body.path("version").asText());
    }
    ((ObjectNode) v.get("_tags")).remove(body.path("key").asText());
    return json(JSON.createObjectNode());
  }

  private Answer transition(JsonNode body) {
    ObjectNode v = version(body.path("name").asText(), body.path("version").asText());
    if (v == null) {
      return missingVersion(body.path("name").asText(), body.path("version").asText());
    }
    String stage = body.path("stage").asText();
    String canonical = switch (stage.toLowerCase(java.util.Locale.ROOT)) {
      case "none" -> "None";
      case "staging" -> "Staging";
      case "production" -> "Production";
      case "archived" -> "Archived";
      default -> null;
    };
    if (canonical == null) {
      return error(400, "INVALID_PARAMETER_VALUE", "Invalid Model Version stage: " + stage
          + ". Value must be one of None, Staging, Production, Archived.");
    }
    v.put("current_stage", canonical);
    long t = now();
    v.put("last_updated_timestamp", t);
    models.get(body.path("name").asText()).put("last_updated_timestamp", t);
    if (body.path("archive_existing_versions").asBoolean(false) && (canonical.equals("Staging") || canonical.equals("Production"))) {
      for (ObjectNode other : versions.get(body.path("name").asText()).values()) {
        if (other != v && other.path("current_stage").asText().equals(canonical)) {
          other.put("current_stage", "Archived");
          other.put("last_updated_timestamp", t);
        }
      }
    }
    return json(JSON.createObjectNode().set("model_version", versionView(v, true)));
  }

  // ------------------------------------------------------------------ runs and experiments

  private Answer createRun(JsonNode body) {
    String experiment = body.path("experiment_id").asText("0");
    String id = UUID.randomUUID().toString().replace("-", "");
    ObjectNode run = JSON.createObjectNode();
    ObjectNode info = run.putObject("info");
    // MLflow's field order; run_uuid is the deprecated twin of run_id and still sent
    info.put("run_uuid", id);
    info.put("experiment_id", experiment);
    String runName = body.path("run_name").asText("");
    info.put("run_name", runName);
    info.put("user_id", body.path("user_id").asText(""));
    info.put("status", "RUNNING");
    info.put("start_time", body.has("start_time") ? body.path("start_time").asLong() : now());
    info.put("artifact_uri", "mlflow-artifacts:/" + experiment + "/" + id + "/artifacts");
    info.put("lifecycle_stage", "active");
    info.put("run_id", id);
    ObjectNode data = run.putObject("data");
    data.set("metrics", JSON.createArrayNode());
    data.set("params", JSON.createArrayNode());
    ArrayNode tags = data.putArray("tags");
    body.path("tags").forEach(t -> setTag(tags, t.path("key").asText(), t.path("value").asText()));
    if (!runName.isEmpty()) {
      setTag(tags, "mlflow.runName", runName);
    }
    runs.put(id, run);
    return json(JSON.createObjectNode().set("run", runView(run, false)));
  }

  /** A run as MLflow sends it: empty lists left out, {@code inputs} always, {@code outputs} only from {@code runs/get}. */
  private static ObjectNode runView(ObjectNode run, boolean outputs) {
    ObjectNode o = JSON.createObjectNode();
    o.set("info", run.get("info").deepCopy());
    ObjectNode data = o.putObject("data");
    for (String field : List.of("metrics", "params", "tags")) {
      if (!run.path("data").path(field).isEmpty()) {
        data.set(field, run.path("data").path(field).deepCopy());
      }
    }
    o.putObject("inputs");
    if (outputs) {
      o.putObject("outputs");
    }
    return o;
  }

  /** Sets a key in a list of key-value pairs, in place when present (MLflow updates the row), else at the end. */
  private static void setTag(ArrayNode list, String key, String value) {
    for (JsonNode item : list) {
      if (item.path("key").asText().equals(key)) {
        ((ObjectNode) item).put("value", value);
        return;
      }
    }
    list.add(JSON.createObjectNode().put("key", key).put("value", value));
  }

  private static Answer missingRun(String id) {
    return error(404, "RESOURCE_DOES_NOT_EXIST", "Run with id=" + id + " not found");
  }

  private Answer getRun(String id) {
    ObjectNode run = runs.get(id);
    return run == null ? missingRun(id) : json(JSON.createObjectNode().set("run", runView(run, true)));
  }

  private Answer setRunTag(JsonNode body) {
    ObjectNode run = runs.get(body.path("run_id").asText());
    if (run == null) {
      return missingRun(body.path("run_id").asText());
    }
    setTag((ArrayNode) run.path("data").path("tags"), body.path("key").asText(), body.path("value").asText());
    return json(JSON.createObjectNode());
  }

  private Answer logBatch(JsonNode body) {
    ObjectNode run = runs.get(body.path("run_id").asText());
    if (run == null) {
      return missingRun(body.path("run_id").asText());
    }
    // like MLflow: a param, once logged, keeps its value; logging the same value again is fine
    ArrayNode params = (ArrayNode) run.path("data").path("params");
    List<String> changed = new ArrayList<>();
    for (JsonNode p : body.path("params")) {
      for (JsonNode old : params) {
        if (old.path("key").asText().equals(p.path("key").asText()) && !old.path("value").asText().equals(p.path("value").asText())) {
          changed.add("{'key': '" + p.path("key").asText() + "', 'old_value': '" + old.path("value").asText()
              + "', 'new_value': '" + p.path("value").asText() + "'}");
        }
      }
    }
    if (!changed.isEmpty()) {
      return error(400, "INVALID_PARAMETER_VALUE", "Changing param values is not allowed. Params were already logged='["
          + String.join(", ", changed) + "]' for run ID='" + body.path("run_id").asText() + "'.");
    }
    for (JsonNode p : body.path("params")) {
      boolean known = false;
      for (JsonNode old : params) {
        known |= old.path("key").asText().equals(p.path("key").asText());
      }
      if (!known) {
        params.add(p.deepCopy());
      }
    }
    // tags are set in place (a key keeps its last value); runs/get shows a metric's latest value only
    body.path("tags").forEach(t -> setTag((ArrayNode) run.path("data").path("tags"), t.path("key").asText(), t.path("value").asText()));
    ArrayNode metrics = (ArrayNode) run.path("data").path("metrics");
    for (JsonNode item : body.path("metrics")) {
      ObjectNode metric = JSON.createObjectNode().put("key", item.path("key").asText());
      metric.set("value", item.path("value"));
      metric.put("timestamp", item.path("timestamp").asLong()).put("step", item.path("step").asLong(0));
      boolean replaced = false;
      for (int i = 0; i < metrics.size() && !replaced; i++) {
        if (metrics.get(i).path("key").asText().equals(metric.path("key").asText())) {
          metrics.set(i, metric);
          replaced = true;
        }
      }
      if (!replaced) {
        metrics.add(metric);
      }
    }
    return json(JSON.createObjectNode());
  }

  /** Active runs of the given experiments whose tags match the filter (tag clauses only), in pages. */
  private Answer searchRuns(JsonNode body) {
    FakeSearchFilter filter;
    try {
      filter = new FakeSearchFilter(body.path("filter").asText(""), Set.of());
    } catch (IllegalArgumentException e) {
      return error(400, "INVALID_PARAMETER_VALUE", e.getMessage());
    }
    List<String> experimentIds = new ArrayList<>();
    body.path("experiment_ids").forEach(e -> experimentIds.add(e.asText()));
    List<ObjectNode> matches = new ArrayList<>();
    for (ObjectNode run : runs.values()) {
      JsonNode info = run.path("info");
      if ((!experimentIds.isEmpty() && !experimentIds.contains(info.path("experiment_id").asText()))
          || !info.path("lifecycle_stage").asText().equals("active")) {
        continue;
      }
      ObjectNode tagged = JSON.createObjectNode();
      ObjectNode tags = tagged.putObject("_tags");
      run.path("data").path("tags").forEach(t -> tags.put(t.path("key").asText(), t.path("value").asText()));
      if (filter.matches(tagged)) {
        matches.add(run);
      }
    }
    // MLflow's order: the latest start first, then by id
    matches.sort(java.util.Comparator.<ObjectNode>comparingLong(r -> -r.path("info").path("start_time").asLong())
        .thenComparing(r -> r.path("info").path("run_id").asText()));
    int max = body.path("max_results").asInt(1000);
    int offset = body.hasNonNull("page_token") ? Integer.parseInt(body.path("page_token").asText()) : 0;
    ObjectNode o = JSON.createObjectNode();
    ArrayNode page = JSON.createArrayNode();
    matches.subList(Math.min(offset, matches.size()), Math.min(offset + max, matches.size())).forEach(r -> page.add(runView(r, false)));
    if (!page.isEmpty()) {
      o.set("runs", page);
    }
    // like MLflow's run search: a full page always comes with a token, even when nothing follows it
    if (page.size() == max) {
      o.put("next_page_token", Integer.toString(offset + max));
    }
    return json(o);
  }

  private Answer updateRun(JsonNode body) {
    ObjectNode run = runs.get(body.path("run_id").asText());
    if (run == null) {
      return missingRun(body.path("run_id").asText());
    }
    ObjectNode info = (ObjectNode) run.get("info");
    if (body.hasNonNull("status")) {
      info.put("status", body.path("status").asText());
    }
    if (body.hasNonNull("end_time")) {
      // MLflow's field order: end_time follows start_time
      ObjectNode reordered = JSON.createObjectNode();
      info.fields().forEachRemaining(e -> {
        if (!e.getKey().equals("end_time")) {
          reordered.set(e.getKey(), e.getValue());
        }
        if (e.getKey().equals("start_time")) {
          reordered.put("end_time", body.path("end_time").asLong());
        }
      });
      info.removeAll();
      info.setAll(reordered);
    }
    return json(JSON.createObjectNode().set("run_info", info.deepCopy()));
  }

  private Answer deleteRun(JsonNode body) {
    ObjectNode run = runs.get(body.path("run_id").asText());
    if (run == null) {
      return error(404, "RESOURCE_DOES_NOT_EXIST", "Run with id=" + body.path("run_id").asText() + " not found");
    }
    ((ObjectNode) run.get("info")).put("lifecycle_stage", "deleted");
    return json(JSON.createObjectNode());
  }


  private Answer experimentByName(String name) {
    for (Map.Entry<String, String> e : experiments.entrySet()) {
      if (e.getValue().equals(name)) {
        return json(JSON.createObjectNode().set("experiment", experimentView(e.getKey())));
      }
    }
    return error(404, "RESOURCE_DOES_NOT_EXIST", "Could not find experiment with name '" + name + "'");
  }

  private ObjectNode experimentView(String id) {
    ObjectNode o = JSON.createObjectNode().put("experiment_id", id).put("name", experiments.get(id))
        .put("artifact_location", "mlflow-artifacts:/" + id).put("lifecycle_stage", "active");
    long created = experimentTimes.getOrDefault(id, 0L);
    o.put("last_update_time", created).put("creation_time", created);
    Map<String, String> tags = experimentTags.getOrDefault(id, Map.of());
    if (!tags.isEmpty()) {
      ArrayNode list = o.putArray("tags");
      tags.forEach((k, v) -> list.add(JSON.createObjectNode().put("key", k).put("value", v)));
    }
    return o;
  }

  private Answer experiment(String id) {
    return experiments.containsKey(id) ? json(JSON.createObjectNode().set("experiment", experimentView(id)))
        : error(404, "RESOURCE_DOES_NOT_EXIST", "No Experiment with id=" + id + " exists");
  }

  private Answer setExperimentTag(JsonNode body) {
    String id = body.path("experiment_id").asText();
    if (!experiments.containsKey(id)) {
      return error(404, "RESOURCE_DOES_NOT_EXIST", "No Experiment with id=" + id + " exists");
    }
    experimentTags.computeIfAbsent(id, k -> new LinkedHashMap<>()).put(body.path("key").asText(), body.path("value").asText());
    return json(JSON.createObjectNode());
  }

  private Answer createExperiment(JsonNode body) {
    String name = body.path("name").asText();
    long t = now();
    if (experiments.containsValue(name)) {
      // MLflow passes on SQLAlchemy's report (the recording normalises everything after "Error: ")
      return error(400, "RESOURCE_ALREADY_EXISTS", "Experiment(name=" + name + ") already exists. Error: "
          + "(sqlite3.IntegrityError) UNIQUE constraint failed: experiments.name [parameters: ('" + name + "', " + t + ")]");
    }
    String id = Integer.toString(experiments.size());
    experiments.put(id, name);
    experimentTimes.put(id, t);
    return json(JSON.createObjectNode().put("experiment_id", id));
  }

  // ------------------------------------------------------------------ artifact proxy

  /** Flips the first byte of a stored artifact, {@code location} being an {@code mlflow-artifacts:/} URI. */
  /**
   * Leaves behind what Python's {@code mlflow.register_model("runs:/<run>/model", model)} does: a run holding
   * {@code files} under {@code model/}, and a READY version whose source is that path. Returns the run id.
   */
  public synchronized String registerLikePython(String model, Map<String, byte[]> files) {
    String run = pythonRun(model);
    files.forEach((path, bytes) -> artifacts.put("0/" + run + "/artifacts/model/" + path, bytes.clone()));
    createVersion(JSON.createObjectNode().put("name", model).put("source", "runs:/" + run + "/model").put("run_id", run));
    return run;
  }

  /**
   * What MLflow 3's {@code mlflow.<flavor>.log_model(..., registered_model_name=model)} leaves behind: a logged
   * model whose files live under {@code models/<id>/artifacts}, and a version whose source is {@code
   * models:/<id>}. Returns the logged model's id.
   */
  public synchronized String registerLikePython3(String model, Map<String, byte[]> files) {
    String run = pythonRun(model);
    String id = loggedModel("0", "model", run, "LOGGED_MODEL_READY");
    files.forEach((path, bytes) -> artifacts.put("0/models/" + id + "/artifacts/" + path, bytes.clone()));
    createVersion(JSON.createObjectNode().put("name", model).put("source", "models:/" + id).put("run_id", run));
    return id;
  }

  /** {@code POST logged-models}: a logged model, pending until its files are logged, as MLflow 3 makes it. */
  private Answer createLoggedModel(JsonNode body) {
    String id = loggedModel(body.path("experiment_id").asText("0"), body.path("name").asText(""),
        body.path("source_run_id").asText(""), "LOGGED_MODEL_PENDING");
    return json(JSON.createObjectNode().set("model", loggedModels.get(id).deepCopy()));
  }

  private String loggedModel(String experiment, String name, String sourceRun, String status) {
    String id = "m-" + UUID.randomUUID().toString().replace("-", "");
    long t = now();
    ObjectNode logged = JSON.createObjectNode();
    logged.putObject("info").put("model_id", id).put("experiment_id", experiment).put("name", name)
        .put("creation_timestamp_ms", t).put("last_updated_timestamp_ms", t)
        .put("artifact_uri", "mlflow-artifacts:/" + experiment + "/models/" + id + "/artifacts").put("status", status)
        .put("model_type", "").put("source_run_id", sourceRun);
    logged.putObject("data");
    loggedModels.put(id, logged);
    return id;
  }

  /** The registered model (created when missing) and a new run in experiment 0, as a Python trainer has them. */
  private String pythonRun(String model) {
    if (!models.containsKey(model)) {
      createModel(JSON.createObjectNode().put("name", model));
    }
    try {
      return JSON.readTree(createRun(JSON.createObjectNode().put("experiment_id", "0")).body()).path("run").path("info")
          .path("run_id").asText();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  synchronized void corrupt(String location, String path) {
    byte[] bytes = artifacts.get(location.substring("mlflow-artifacts:/".length()) + "/" + path);
    if (bytes == null || bytes.length == 0) {
      throw new IllegalStateException("No stored artifact " + location + "/" + path);
    }
    bytes[0] ^= 0x5A;
  }

  private Answer artifact(String method, String path, Map<String, String> q, byte[] body) {
    String key = path.startsWith("/") ? path.substring(1) : path;
    switch (method) {
      case "PUT":
        artifacts.put(key, body);
        return json(JSON.createObjectNode());
      case "DELETE": // a file, or a directory with everything in it (MLflow's local store: os.remove or rmtree)
        artifacts.remove(key);
        artifacts.keySet().removeIf(k -> k.startsWith(key + "/"));
        return json(JSON.createObjectNode());
      case "GET":
        if (key.isEmpty()) {
          return list(q.getOrDefault("path", ""));
        }
        byte[] bytes = artifacts.get(key);
        return bytes == null
            ? error(500, "INTERNAL_ERROR", "The following failures occurred while downloading one or more artifacts from "
                + ARTIFACT_ROOT + ":\n##### File " + key + " #####\n[Errno 2] No such file or directory: '" + ARTIFACT_ROOT
                + "/" + key + "'")
            : new Answer(200, bytes, mediaType(key));
      default:
        return error(405, "METHOD_NOT_ALLOWED", method);
    }
  }

  /** Where the stand-in says its artifacts live, in the message of a failed download. */
  private static final String ARTIFACT_ROOT = "/srv/mlflow/artifacts";
  /** Names MLflow sends as text/plain (its list of text extensions, and MLmodel / MLproject without one). */
  private static final Set<String> TEXT = Set.of("txt", "log", "err", "cfg", "conf", "cnf", "cf", "ini", "properties", "prop",
      "hocon", "toml", "yaml", "yml", "xml", "json", "js", "py", "py3", "csv", "tsv", "md", "rst", "MLmodel", "MLproject");

  /** The media type MLflow gives a downloaded artifact: text for the names above, else a guess by extension. */
  static String mediaType(String path) {
    String name = path.substring(path.lastIndexOf('/') + 1);
    int dot = name.lastIndexOf('.');
    String extension = dot <= 0 ? name : name.substring(dot + 1);
    if (TEXT.contains(extension)) {
      return "text/plain";
    }
    String guess = java.net.URLConnection.guessContentTypeFromName(name);
    return guess != null ? guess : "application/octet-stream";
  }

  private Answer list(String dir) {
    String prefix = dir.isEmpty() || dir.endsWith("/") ? dir : dir + "/";
    Map<String, ObjectNode> entries = new TreeMap<>();
    for (Map.Entry<String, byte[]> e : artifacts.entrySet()) {
      if (!e.getKey().startsWith(prefix)) {
        continue;
      }
      String rest = e.getKey().substring(prefix.length());
      int slash = rest.indexOf('/');
      if (slash < 0) {
        ObjectNode file = JSON.createObjectNode().put("path", rest).put("is_dir", false);
        if (e.getValue().length > 0) {
          file.put("file_size", e.getValue().length); // 0 is protobuf's default, so MLflow leaves it out
        }
        entries.put(rest, file);
      } else {
        entries.put(rest.substring(0, slash), JSON.createObjectNode().put("path", rest.substring(0, slash)).put("is_dir", true));
      }
    }
    ObjectNode out = JSON.createObjectNode();
    if (!entries.isEmpty()) {
      ArrayNode files = out.putArray("files");
      entries.values().forEach(files::add);
    }
    return json(out);
  }
}
