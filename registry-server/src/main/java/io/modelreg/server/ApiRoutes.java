package io.modelreg.server;

import static io.modelreg.server.Router.Access.READ;
import static io.modelreg.server.Router.Access.WRITE;

import com.fasterxml.jackson.databind.JsonNode;
import io.modelreg.ArtifactEntry;
import io.modelreg.MetricRecord;
import io.modelreg.ModelRegistry;
import io.modelreg.ModelUri;
import io.modelreg.ModelVersion;
import io.modelreg.Names;
import io.modelreg.Page;
import io.modelreg.RegisteredModel;
import io.modelreg.RegistryEvent;
import io.modelreg.SearchRequest;
import io.modelreg.Stage;
import io.modelreg.prompts.PromptRegistry;
import io.modelreg.prompts.PromptVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/** The {@code /api/v1} routes. Each handler validates its path parameters with the registry's name rules. */
final class ApiRoutes {
  static final String BASE = "/api/v1";

  private final ModelRegistry registry;
  private final PromptRegistry prompts;
  private final ServerOptions options;
  private final EventHub events;
  private final Map<String, Object> writeLocks = new ConcurrentHashMap<>();

  ApiRoutes(ModelRegistry registry, ServerOptions options, EventHub events) {
    this.registry = registry;
    this.prompts = PromptRegistry.on(registry);
    this.options = options;
    this.events = events;
  }

  void register(Router r) {
    r.add("GET", BASE + "/server", READ, this::serverInfo);
    r.add("GET", BASE + "/models", READ, this::listModels);
    r.add("GET", BASE + "/models/{name}", READ, this::getModel);
    r.add("GET", BASE + "/models/{name}/versions", READ, this::listVersions);
    r.add("GET", BASE + "/models/{name}/versions/{ref}", READ, this::getVersion);
    r.add("GET", BASE + "/models/{name}/versions/{ref}/artifacts", READ, this::listArtifacts);
    r.add("GET", BASE + "/models/{name}/versions/{ref}/artifacts/{path...}", READ, this::artifact);
    r.add("GET", BASE + "/models/{name}/history", READ, this::history);
    r.add("GET", BASE + "/resolve", READ, this::resolve);
    r.add("GET", BASE + "/search/versions", READ, this::searchVersions);
    r.add("GET", BASE + "/compare", READ, this::compare);
    r.add("GET", BASE + "/prompts", READ, this::listPrompts);
    r.add("GET", BASE + "/prompts/{name}", READ, this::promptVersions);
    r.add("GET", BASE + "/prompts/{name}/versions/{ref}", READ, this::getPrompt);
    r.add("POST", BASE + "/prompts/{name}/versions/{ref}/render", READ, this::renderPrompt);
    r.add("GET", BASE + "/events", READ, this::events);
    r.add("GET", BASE + "/pool", READ, this::pool);

    r.add("POST", BASE + "/models/{name}/versions/{number}/stage", WRITE, this::transition);
    r.add("POST", BASE + "/models/{name}/rollback", WRITE, this::rollback);
    r.add("PUT", BASE + "/models/{name}/aliases/{alias}", WRITE, this::setAlias);
    r.add("DELETE", BASE + "/models/{name}/aliases/{alias}", WRITE, this::deleteAlias);
    r.add("PUT", BASE + "/models/{name}/tags/{key...}", WRITE, this::setModelTag);
    r.add("DELETE", BASE + "/models/{name}/tags/{key...}", WRITE, this::deleteModelTag);
    r.add("PUT", BASE + "/models/{name}/versions/{number}/tags/{key...}", WRITE, this::setVersionTag);
    r.add("DELETE", BASE + "/models/{name}/versions/{number}/tags/{key...}", WRITE, this::deleteVersionTag);
    r.add("POST", BASE + "/models/{name}/versions/{number}/metrics", WRITE, this::recordMetrics);
  }

  // ------------------------------------------------------------------------------------------ reads

  private void serverInfo(Exchange ex) throws IOException {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("registry", registry.describe());
    out.put("readOnly", options.readOnly());
    out.put("pool", options.hasPool());
    out.put("maxBodyBytes", options.maxBodyBytes());
    ex.json(200, out);
  }

  private void listModels(Exchange ex) throws IOException {
    String filter = ex.query("filter");
    List<RegisteredModel> models;
    @Nullable String next = null;
    if (filter != null) {
      Page<RegisteredModel> page = registry.searchModels(page(ex, filter));
      models = page.items();
      next = page.nextPageToken();
    } else {
      models = registry.listModels();
    }
    List<Map<String, Object>> items = new ArrayList<>();
    for (RegisteredModel m : models) {
      Map<String, Object> view = Views.model(m);
      view.put("prompt", "true".equals(m.tags().get(PromptRegistry.IS_PROMPT)));
      items.add(view);
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("items", items);
    out.put("nextPageToken", next);
    ex.json(200, out);
  }

  private SearchRequest page(Exchange ex, String filter) {
    SearchRequest req = SearchRequest.of(filter)
        .maxResults(ex.queryInt("maxResults", SearchRequest.DEFAULT_PAGE_SIZE, 1, SearchRequest.MAX_PAGE_SIZE));
    List<String> order = ex.queryAll("orderBy");
    if (!order.isEmpty()) {
      req = req.orderBy(order.toArray(String[]::new));
    }
    String token = ex.query("pageToken");
    return token == null ? req : req.pageToken(token);
  }

  private void getModel(Exchange ex) throws IOException {
    String name = name(ex);
    RegisteredModel m = registry.getModel(name);
    long revision = revision(name);
    Map<String, Object> view = Views.model(m);
    view.put("revision", revision);
    ex.header("ETag", etag(revision));
    ex.json(200, view);
  }

  private void listVersions(Exchange ex) throws IOException {
    String name = name(ex);
    List<Map<String, Object>> items = new ArrayList<>();
    for (ModelVersion v : registry.listVersions(name)) {
      items.add(Views.version(v));
    }
    ex.json(200, Map.of("items", items));
  }

  private ModelVersion version(Exchange ex) {
    return registry.resolve(uri("models", name(ex), ex.param("ref")));
  }

  /** {@code ref} is everything a {@code models:/} URI has after the name: 7, latest, production, @alias, 1.4.2, ^1.4. */
  static ModelUri uri(String scheme, String name, String ref) {
    if (ref.isEmpty()) {
      throw ApiException.badRequest("A version reference is required: a number, latest, a stage, @alias, a semver or a ^/~ range");
    }
    return ModelUri.parse(scheme + ":/" + name + (ref.startsWith("@") ? ref : "/" + ref));
  }

  private void getVersion(Exchange ex) throws IOException {
    ModelVersion v = version(ex);
    ex.header("ETag", "\"" + v.digest() + "\"");
    ex.json(200, Views.version(v));
  }

  private void listArtifacts(Exchange ex) throws IOException {
    ModelVersion v = version(ex);
    List<Map<String, Object>> files = new ArrayList<>();
    for (ArtifactEntry e : v.manifest().files()) {
      files.add(Views.file(e));
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("uri", v.uri().toString());
    out.put("digest", v.digest().toString());
    out.put("totalSize", v.manifest().totalSize());
    out.put("files", files);
    ex.json(200, out);
  }

  private void artifact(Exchange ex) throws IOException {
    String path = Names.checkArtifactPath(ex.param("path"));
    ModelVersion v = version(ex);
    ArtifactEntry entry = v.manifest().find(path).orElseThrow(() -> new ApiException(404, "not-found", "Not found",
        "Version " + v.uri() + " has no file '" + path + "'; it has " + v.manifest().files().size() + " files (GET "
            + BASE + "/models/" + v.name() + "/versions/" + v.number() + "/artifacts lists them)"));
    String etag = "\"" + entry.digest() + "\"";
    byte[] sha = HexFormat.of().parseHex(entry.digest().hex());
    String b64 = Base64.getEncoder().encodeToString(sha);
    ex.header("ETag", etag);
    ex.header("Digest", "sha-256=" + b64);
    ex.header("Repr-Digest", "sha-256=:" + b64 + ":");
    ex.header("Cache-Control", v.uri().isImmutable() || ex.param("ref").matches("\\d+") ? "private, max-age=31536000, immutable"
        : "no-cache");
    String inm = ex.header("If-None-Match");
    if (inm != null && (inm.trim().equals("*") || List.of(inm.split("\\s*,\\s*")).contains(etag))) {
      ex.empty(304);
      return;
    }
    String file = path.substring(path.lastIndexOf('/') + 1).replaceAll("[^A-Za-z0-9._-]", "_");
    ex.header("Content-Disposition", "attachment; filename=\"" + file + "\"");
    // openArtifact verifies size and SHA-256 as the bytes stream and throws when it reaches the end of a
    // damaged file. The last chunk read is held back until the next read succeeds, so a damaged file never
    // reaches its Content-Length: the dispatcher aborts the response and the client sees a failed download.
    try (InputStream in = registry.openArtifact(v, path)) {
      byte[] held = new byte[64 * 1024];
      byte[] next = new byte[64 * 1024];
      int heldLength = in.readNBytes(held, 0, held.length);
      OutputStream out = null;
      while (heldLength > 0) {
        int n = in.readNBytes(next, 0, next.length);
        if (out == null) {
          out = ex.stream(200, "application/octet-stream", entry.size());
        }
        out.write(held, 0, heldLength);
        byte[] t = held;
        held = next;
        next = t;
        heldLength = n;
      }
      if (out == null) {
        ex.send(200, "application/octet-stream", new byte[0]);
      } else {
        out.close();
      }
    }
  }

  private void history(Exchange ex) throws IOException {
    String name = name(ex);
    List<Map<String, Object>> items = new ArrayList<>();
    for (RegistryEvent e : registry.history(name)) {
      items.add(Views.event(e));
    }
    ex.json(200, Map.of("items", items));
  }

  private void resolve(Exchange ex) throws IOException {
    String uri = required(ex, "uri");
    ModelVersion v = registry.resolve(ModelUri.parse(uri));
    ex.json(200, Views.version(v));
  }

  private void searchVersions(Exchange ex) throws IOException {
    String filter = ex.query("filter");
    Page<ModelVersion> page = registry.searchVersions(page(ex, filter == null ? "" : filter));
    List<Map<String, Object>> items = new ArrayList<>();
    for (ModelVersion v : page.items()) {
      items.add(Views.version(v));
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("items", items);
    out.put("nextPageToken", page.nextPageToken());
    ex.json(200, out);
  }

  private void compare(Exchange ex) throws IOException {
    ModelUri a = ModelUri.parse(required(ex, "a"));
    ModelUri b = ModelUri.parse(required(ex, "b"));
    Set<String> lowerIsBetter = new java.util.HashSet<>();
    for (String s : ex.queryAll("lowerIsBetter")) {
      for (String m : s.split(",")) {
        if (!m.isBlank()) {
          lowerIsBetter.add(m.trim());
        }
      }
    }
    var c = registry.compare(a, b);
    Map<String, Object> out = Views.comparison(c);
    Map<String, Object> winners = new LinkedHashMap<>();
    for (String metric : c.metrics().keySet()) {
      c.winner(metric, !lowerIsBetter.contains(metric)).ifPresent(w -> {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("winner", w.winner().uri().toString());
        m.put("delta", w.delta());
        m.put("confidence", w.confidence());
        m.put("higherIsBetter", !lowerIsBetter.contains(metric));
        winners.put(metric, m);
      });
    }
    out.put("winners", winners);
    ex.json(200, out);
  }

  private void listPrompts(Exchange ex) throws IOException {
    List<Map<String, Object>> items = new ArrayList<>();
    for (RegisteredModel m : registry.listModels()) {
      if ("true".equals(m.tags().get(PromptRegistry.IS_PROMPT))) {
        items.add(Views.model(m));
      }
    }
    ex.json(200, Map.of("items", items));
  }

  private void promptVersions(Exchange ex) throws IOException {
    String name = name(ex);
    requirePrompt(name);
    List<Map<String, Object>> items = new ArrayList<>();
    for (PromptVersion p : prompts.list(name)) {
      items.add(Views.prompt(p));
    }
    ex.json(200, Map.of("items", items));
  }

  private void requirePrompt(String name) {
    if (!prompts.isPrompt(name)) {
      registry.getModel(name); // 404 when there is no such model at all
      throw new ApiException(404, "not-found", "Not found", "'" + name + "' is a model, not a prompt");
    }
  }

  private PromptVersion prompt(Exchange ex) {
    String name = name(ex);
    requirePrompt(name);
    return prompts.load(uri("prompts", name, ex.param("ref")).toString());
  }

  private void getPrompt(Exchange ex) throws IOException {
    ex.json(200, Views.prompt(prompt(ex)));
  }

  private void renderPrompt(Exchange ex) throws IOException {
    JsonNode body = Json.object(ex.body());
    PromptVersion p = prompt(ex);
    JsonNode values = body.get("values");
    if (values == null || !values.isObject()) {
      throw ApiException.badRequest("Field 'values' is required and must be an object of variable name to value");
    }
    JsonNode partial = body.get("partial");
    if (partial != null && !partial.isBoolean()) {
      throw ApiException.badRequest("Field 'partial' must be true or false");
    }
    @SuppressWarnings("unchecked")
    Map<String, ?> vars = (Map<String, ?>) Json.MAPPER.convertValue(values, Map.class);
    String text = partial != null && partial.asBoolean() ? p.template().renderPartial(vars) : p.render(vars);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("uri", p.uri());
    out.put("text", text);
    ex.json(200, out);
  }

  private void pool(Exchange ex) throws IOException {
    PoolView pool = options.pool();
    if (pool == null) {
      throw new ApiException(404, "no-pool", "No model pool", "This server was started without a model pool");
    }
    ex.json(200, pool.snapshot());
  }

  // ------------------------------------------------------------------------------------------ events

  private void events(Exchange ex) throws IOException {
    String model = ex.query("model");
    if (model != null) {
      Names.checkModelName(model);
    }
    String last = ex.header("Last-Event-ID");
    if (last == null) {
      last = ex.query("lastEventId");
    }
    EventHub.Client client = events.connect(last, model);
    if (client == null) {
      throw new ApiException(503, "too-many-streams", "Too many event streams",
          "At most " + EventHub.MAX_CLIENTS + " event streams may be open at once", Map.of(), List.of());
    }
    ex.header("Cache-Control", "no-store");
    ex.header("X-Accel-Buffering", "no");
    try (OutputStream out = ex.stream(200, "text/event-stream; charset=utf-8", -1)) {
      out.write(("retry: 2000\n: connected " + events.epoch + "\n\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
      out.flush();
      long heartbeatMillis = options.heartbeat().toMillis();
      while (true) {
        EventHub.Item item;
        try {
          item = client.queue.poll(heartbeatMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
        if (item == EventHub.CLOSE || events.isClosed() || client.overflowed) {
          return;
        }
        StringBuilder sb = new StringBuilder();
        if (item == null) {
          sb.append(": keep-alive\n\n");
        } else {
          if (!item.event().equals("reset")) {
            sb.append("id: ").append(events.id(item)).append('\n');
          }
          sb.append("event: ").append(item.event()).append('\n');
          sb.append("data: ").append(new String(item.data(), java.nio.charset.StandardCharsets.UTF_8)).append("\n\n");
        }
        out.write(sb.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        out.flush();
      }
    } finally {
      events.disconnect(client);
    }
  }

  // ------------------------------------------------------------------------------------------ writes

  private void transition(Exchange ex) throws IOException {
    String name = name(ex);
    int number = number(ex);
    JsonNode body = Json.object(ex.body());
    Stage stage = Stage.parse(Json.text(body, "stage"));
    write(ex, name, () -> Views.version(registry.transition(name, number, stage)));
  }

  private void rollback(Exchange ex) throws IOException {
    String name = name(ex);
    ex.body(); // bounded even when ignored
    write(ex, name, () -> Views.version(registry.rollback(name)));
  }

  private void setAlias(Exchange ex) throws IOException {
    String name = name(ex);
    String alias = Names.checkUserAlias(ex.param("alias"));
    JsonNode body = Json.object(ex.body());
    int version = Json.positiveInt(body, "version");
    write(ex, name, () -> Views.version(registry.setAlias(name, alias, version)));
  }

  private void deleteAlias(Exchange ex) throws IOException {
    String name = name(ex);
    String alias = Names.checkUserAlias(ex.param("alias"));
    write(ex, name, () -> {
      registry.deleteAlias(name, alias);
      return Views.model(registry.getModel(name));
    });
  }

  private void setModelTag(Exchange ex) throws IOException {
    String name = name(ex);
    String key = Names.checkUserKey("tag", ex.param("key"));
    String value = Json.text(Json.object(ex.body()), "value");
    write(ex, name, () -> Views.model(registry.setModelTag(name, key, value)));
  }

  private void deleteModelTag(Exchange ex) throws IOException {
    String name = name(ex);
    String key = Names.checkUserKey("tag", ex.param("key"));
    write(ex, name, () -> Views.model(registry.deleteModelTag(name, key)));
  }

  private void setVersionTag(Exchange ex) throws IOException {
    String name = name(ex);
    int number = number(ex);
    String key = Names.checkUserKey("tag", ex.param("key"));
    String value = Json.text(Json.object(ex.body()), "value");
    write(ex, name, () -> Views.version(registry.setVersionTag(name, number, key, value)));
  }

  private void deleteVersionTag(Exchange ex) throws IOException {
    String name = name(ex);
    int number = number(ex);
    String key = Names.checkUserKey("tag", ex.param("key"));
    write(ex, name, () -> Views.version(registry.deleteVersionTag(name, number, key)));
  }

  private void recordMetrics(Exchange ex) throws IOException {
    String name = name(ex);
    int number = number(ex);
    JsonNode body = Json.object(ex.body());
    String runId = Json.text(body, "runId");
    Map<String, Double> values = Json.numbers(body, "values");
    String notes = Json.optionalText(body, "notes");
    String time = Json.optionalText(body, "time");
    Instant at;
    try {
      at = time == null ? options.clock().instant() : Instant.parse(time);
    } catch (DateTimeParseException e) {
      throw ApiException.badRequest("Field 'time' must be an ISO-8601 instant such as 2026-01-31T12:00:00Z, got '" + time + "'");
    }
    MetricRecord record = new MetricRecord(runId, at, values, notes == null ? "" : notes);
    write(ex, name, () -> Views.version(registry.recordMetrics(name, number, record)), 201);
  }

  private void write(Exchange ex, String name, Supplier<Map<String, Object>> change) throws IOException {
    write(ex, name, change, 200);
  }

  /**
   * Runs one change under this server's lock for the model, after checking {@code If-Match} against the
   * model's revision (the sequence of its last event), and answers with the result and the new revision.
   */
  private void write(Exchange ex, String name, Supplier<Map<String, Object>> change, int status) throws IOException {
    String ifMatch = ex.header("If-Match");
    Map<String, Object> result;
    long after;
    synchronized (writeLocks.computeIfAbsent(name, k -> new Object())) {
      if (ifMatch != null && !ifMatch.trim().equals("*")) {
        long expected = parseRevision(ifMatch);
        long current = revision(name);
        if (expected != current) {
          throw new ApiException(409, "stale-revision", "Changed by someone else",
              "Model '" + name + "' is at revision " + current + ", not " + expected
                  + " as the request expected: someone else changed it. Reload it, check the change still holds, and retry.",
              Map.of("currentRevision", current, "expectedRevision", expected), List.of());
        }
      }
      result = change.get();
      after = revision(name);
    }
    result.put("revision", after);
    ex.header("ETag", etag(after));
    ex.json(status, result);
  }

  private static long parseRevision(String ifMatch) {
    String s = ifMatch.trim();
    if (s.startsWith("W/")) {
      s = s.substring(2);
    }
    if (s.startsWith("\"") && s.endsWith("\"") && s.length() >= 2) {
      s = s.substring(1, s.length() - 1);
    }
    if (s.startsWith("r")) {
      s = s.substring(1);
    }
    try {
      long n = Long.parseLong(s);
      if (n >= 0) {
        return n;
      }
    } catch (NumberFormatException e) {
      // below
    }
    throw ApiException.badRequest("If-Match must be a model revision such as \"r12\" (the ETag of GET "
        + BASE + "/models/{name}) or *, got " + ifMatch);
  }

  /** A model's revision: the sequence number of the last event in its history, 0 before any. */
  private long revision(String name) {
    List<RegistryEvent> h = registry.history(name);
    return h.isEmpty() ? 0 : h.get(h.size() - 1).sequence();
  }

  static String etag(long revision) {
    return "\"r" + revision + "\"";
  }

  // ------------------------------------------------------------------------------------------ parameters

  private static String name(Exchange ex) {
    return Names.checkModelName(ex.param("name"));
  }

  private static int number(Exchange ex) {
    String s = ex.param("number");
    if (!s.matches("[1-9][0-9]{0,8}")) {
      throw ApiException.badRequest("Version number must be an integer >= 1, got '" + s + "'");
    }
    return Integer.parseInt(s);
  }

  private static String required(Exchange ex, String name) {
    String v = ex.query(name);
    if (v == null || v.isBlank()) {
      throw ApiException.badRequest("Query parameter '" + name + "' is required");
    }
    return v;
  }
}
