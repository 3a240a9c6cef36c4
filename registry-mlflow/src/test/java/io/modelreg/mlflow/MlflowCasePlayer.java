package io.modelreg.mlflow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Plays an {@link MlflowCase} against a server and normalises the answers, so a recording from a real MLflow server
 * and a replay against the stand-in can be compared as JSON trees.
 *
 * <p>Normalised, identically on both sides: the case's prefix becomes {@code ${p}}; logged-model ids ({@code
 * m-<32 hex>}) become {@code <model_id:N>} and run ids (32 hex) {@code <run_id:N>}, also inside strings such as
 * {@code artifact_uri} and error messages; experiment ids other than the default {@code "0"} become {@code
 * <experiment_id:N>} in {@code experiment_id} fields and {@code mlflow-artifacts:/<id>/} URIs; times (fields named
 * like {@code *_timestamp}, {@code start_time}, {@code end_time}, {@code timestamp}) become {@code <time:N>};
 * {@code next_page_token} becomes {@code <page_token>}; the artifact store's directory in a failed download's
 * message becomes {@code <artifact_root>}, and the database's own text after {@code ". Error: "} in a message
 * (SQLAlchemy's report of an IntegrityError, with the SQL and its parameters) becomes {@code <database error>}: both
 * depend on where and on which database the server runs, not on MLflow; a Python set in a message is sorted, as
 * its order changes with each server process. N counts distinct values in order of first appearance
 * within the case (object keys visited in sorted order), so which fields hold the same id or the same time is
 * kept, and compared.
 */
final class MlflowCasePlayer {
  private static final Set<String> TIME_FIELDS = Set.of("creation_timestamp", "last_updated_timestamp", "start_time",
      "end_time", "timestamp", "creation_timestamp_ms", "last_updated_timestamp_ms", "creation_time", "last_update_time");
  private static final Pattern MODEL_ID = Pattern.compile("m-[0-9a-f]{32}");
  private static final Pattern RUN_ID = Pattern.compile("(?<![0-9a-zA-Z])[0-9a-f]{32}(?![0-9a-zA-Z])");
  private static final Pattern ARTIFACT_EXPERIMENT = Pattern.compile("(mlflow-artifacts:/)(\\d+)(/|$)");
  /** A Python set in a message ({@code '{'a', 'b'}'}), whose order changes with each server process's hash seed. */
  private static final Pattern PYTHON_SET = Pattern.compile("\\{('[^'{}]*'(?:, '[^'{}]*')*)}");
  /** Where the server keeps artifacts, which it names in the message of a failed download. */
  private static final Pattern ARTIFACT_ROOT = Pattern.compile("downloading one or more artifacts from (/[^:\\s]*):");
  /** The database's own words after MLflow's in an error message (SQLAlchemy, the SQL, its parameters). */
  private static final Pattern DATABASE_ERROR = Pattern.compile("(?s)(\\. Error: ).*IntegrityError.*");
  private static final Pattern VARIABLE = Pattern.compile("\\$\\{([a-z_0-9]+)}");

  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  private final URI base;
  private final String prefix;
  private final Map<String, String> variables = new HashMap<>();
  private final Map<String, String> placeholders = new HashMap<>();
  private final Map<String, Integer> counters = new HashMap<>();

  /** A player for one case against {@code base}, with {@code prefix} as {@code ${p}}. */
  MlflowCasePlayer(URI base, String prefix) {
    this.base = base;
    this.prefix = prefix;
    variables.put("p", prefix);
  }

  /** The normalised answer to one step. */
  record Answer(int status, String type, @Nullable JsonNode json, @Nullable String text) {
    ObjectNode toJson() {
      ObjectNode o = MlflowCase.JSON.createObjectNode();
      o.put("status", status);
      o.put("type", type);
      if (json != null) {
        o.set("body", json);
      } else if (text != null) {
        o.put("text", text);
      }
      return o;
    }

    static Answer fromJson(JsonNode o) {
      return new Answer(o.path("status").asInt(), o.path("type").asText(), o.has("body") ? o.get("body") : null,
          o.has("text") ? o.get("text").asText() : null);
    }
  }

  /**
   * Sends one step, keeps its captures, and returns its normalised answer.
   *
   * @throws IllegalStateException when a capture finds nothing in the answer
   */
  Answer play(MlflowCase.Step step) throws IOException, InterruptedException {
    StringBuilder uri = new StringBuilder(base.toString()).append(step.artifact() ? MlflowCase.ARTIFACTS : MlflowCase.API);
    if (step.artifact()) {
      uri.append(expandPath(step.path()));
    } else {
      uri.append(expand(step.path()));
    }
    Map<String, String> query = new java.util.LinkedHashMap<>();
    step.query().forEach((k, v) -> query.put(k, expand(v)));
    uri.append(MlflowHttp.query(query));
    HttpRequest.BodyPublisher body = HttpRequest.BodyPublishers.noBody();
    if (step.body() != null) {
      body = HttpRequest.BodyPublishers.ofString(expand(step.body().toString()), StandardCharsets.UTF_8);
    } else if (step.raw() != null) {
      body = HttpRequest.BodyPublishers.ofString(step.raw(), StandardCharsets.UTF_8);
    }
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(uri.toString())).timeout(Duration.ofSeconds(60))
        .method(step.method(), body);
    if (step.body() != null && step.contentType()) {
      b.header("Content-Type", "application/json");
    }
    HttpResponse<byte[]> r = client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    String type = r.headers().firstValue("Content-Type").orElse("").split(";")[0].trim();
    String text = new String(r.body(), StandardCharsets.UTF_8);
    JsonNode json = null;
    if (type.equals("application/json")) {
      json = text.isEmpty() ? MlflowCase.JSON.createObjectNode() : MlflowCase.JSON.readTree(text);
      for (Map.Entry<String, String> c : step.captures().entrySet()) {
        JsonNode value = json.at(c.getValue());
        if (value.isMissingNode() || value.isNull()) {
          throw new IllegalStateException("nothing at " + c.getValue() + " to capture as ${" + c.getKey() + "} in " + text);
        }
        variables.put(c.getKey(), value.asText());
      }
      json = normalise(json, null);
    } else if (!step.captures().isEmpty()) {
      throw new IllegalStateException("no JSON answer to capture from: " + r.statusCode() + " " + text);
    }
    return new Answer(r.statusCode(), type, json, json == null ? normaliseText(text) : null);
  }

  String expand(String template) {
    Matcher m = VARIABLE.matcher(template);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String value = variables.get(m.group(1));
      if (value == null) {
        throw new IllegalStateException("${" + m.group(1) + "} is not captured yet");
      }
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    return m.appendTail(out).toString();
  }

  /** An artifact path ("/a/b" or ""), expanded, each segment encoded as the store does. */
  private String expandPath(String template) {
    java.util.StringJoiner out = new java.util.StringJoiner("/");
    for (String segment : expand(template).split("/", -1)) {
      out.add(java.net.URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20"));
    }
    return out.toString();
  }

  // ------------------------------------------------------------------ normalisation

  /** The raw values this player normalised as {@code kind} ("run_id", "experiment_id", ...). */
  List<String> seen(String kind) {
    List<String> out = new ArrayList<>();
    placeholders.keySet().forEach(k -> {
      if (k.startsWith(kind + "\u0000")) {
        out.add(k.substring(kind.length() + 1));
      }
    });
    return out;
  }

  private String placeholder(String kind, String value) {
    return placeholders.computeIfAbsent(kind + "\u0000" + value,
        k -> "<" + kind + ":" + counters.merge(kind, 1, Integer::sum) + ">");
  }

  private JsonNode normalise(JsonNode node, @Nullable String field) {
    if (node.isObject()) {
      ObjectNode out = MlflowCase.JSON.createObjectNode();
      Set<String> keys = new TreeSet<>();
      node.fieldNames().forEachRemaining(keys::add);
      for (String k : keys) {
        out.set(k, normalise(node.get(k), k));
      }
      // keep the answer's own key order (irrelevant to the comparison, kind to a reader)
      ObjectNode ordered = MlflowCase.JSON.createObjectNode();
      node.fieldNames().forEachRemaining(k -> ordered.set(k, out.get(k)));
      return ordered;
    }
    if (node.isArray()) {
      ArrayNode out = MlflowCase.JSON.createArrayNode();
      node.forEach(item -> out.add(normalise(item, field)));
      return out;
    }
    if (field != null && TIME_FIELDS.contains(field) && (node.isNumber() || node.asText().matches("\\d+"))) {
      return new TextNode(placeholder("time", node.asText()));
    }
    if (field != null && (field.equals("experiment_id") || field.equals("experiment_ids")) && node.isTextual()
        && !node.asText().equals("0") && node.asText().matches("\\d+")) {
      return new TextNode(placeholder("experiment_id", node.asText()));
    }
    if ("next_page_token".equals(field) && node.isTextual()) {
      return new TextNode("<page_token>");
    }
    return node.isTextual() ? new TextNode(normaliseText(node.asText())) : node;
  }

  private String normaliseText(String text) {
    String s = text.replace(prefix, "${p}");
    Matcher root = ARTIFACT_ROOT.matcher(s);
    if (root.find()) {
      s = s.replace(root.group(1), "<artifact_root>");
    }
    s = DATABASE_ERROR.matcher(s).replaceFirst("$1<database error>");
    Matcher set = PYTHON_SET.matcher(s);
    StringBuilder sorted = new StringBuilder();
    while (set.find()) {
      List<String> items = new ArrayList<>(List.of(set.group(1).split(", ")));
      java.util.Collections.sort(items);
      set.appendReplacement(sorted, Matcher.quoteReplacement("{" + String.join(", ", items) + "}"));
    }
    s = set.appendTail(sorted).toString();
    s = replace(MODEL_ID, s, "model_id");
    s = replace(RUN_ID, s, "run_id");
    Matcher m = ARTIFACT_EXPERIMENT.matcher(s);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String id = m.group(2).equals("0") ? "0" : placeholder("experiment_id", m.group(2));
      m.appendReplacement(out, Matcher.quoteReplacement(m.group(1) + id + m.group(3)));
    }
    return m.appendTail(out).toString();
  }

  private String replace(Pattern p, String s, String kind) {
    Matcher m = p.matcher(s);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(out, Matcher.quoteReplacement(placeholder(kind, m.group())));
    }
    return m.appendTail(out).toString();
  }

  // ------------------------------------------------------------------ comparison

  /** Every difference between two normalised answers, as readable lines; empty when they agree. */
  static List<String> differences(Answer recorded, Answer replayed) {
    List<String> out = new ArrayList<>();
    if (recorded.status() != replayed.status()) {
      out.add("status: recorded " + recorded.status() + ", stand-in " + replayed.status());
    }
    if (!recorded.type().equals(replayed.type())) {
      out.add("Content-Type: recorded " + recorded.type() + ", stand-in " + replayed.type());
    }
    if (recorded.json() != null && replayed.json() != null) {
      diff("", recorded.json(), replayed.json(), out);
    } else if (recorded.json() != null || replayed.json() != null) {
      out.add("body: recorded " + describe(recorded) + ", stand-in " + describe(replayed));
    } else if (!java.util.Objects.equals(recorded.text(), replayed.text())) {
      out.add("body: recorded " + describe(recorded) + ", stand-in " + describe(replayed));
    }
    return out;
  }

  private static String describe(Answer a) {
    return a.json() != null ? "JSON " + a.json() : "text " + quote(a.text());
  }

  private static String quote(@Nullable String s) {
    return s == null ? "(none)" : '"' + (s.length() > 300 ? s.substring(0, 300) + "…" : s) + '"';
  }

  private static void diff(String at, JsonNode recorded, JsonNode replayed, List<String> out) {
    if (recorded.isObject() && replayed.isObject()) {
      Set<String> keys = new TreeSet<>();
      recorded.fieldNames().forEachRemaining(keys::add);
      replayed.fieldNames().forEachRemaining(keys::add);
      for (String k : keys) {
        String here = at + "/" + k;
        if (!replayed.has(k)) {
          out.add(here + ": missing in the stand-in's answer (recorded " + recorded.get(k) + ")");
        } else if (!recorded.has(k)) {
          out.add(here + ": only in the stand-in's answer (" + replayed.get(k) + ")");
        } else {
          diff(here, recorded.get(k), replayed.get(k), out);
        }
      }
    } else if (recorded.isArray() && replayed.isArray()) {
      for (int i = 0; i < Math.max(recorded.size(), replayed.size()); i++) {
        String here = at + "/" + i;
        if (i >= replayed.size()) {
          out.add(here + ": missing in the stand-in's answer (recorded " + recorded.get(i) + ")");
        } else if (i >= recorded.size()) {
          out.add(here + ": only in the stand-in's answer (" + replayed.get(i) + ")");
        } else {
          diff(here, recorded.get(i), replayed.get(i), out);
        }
      }
    } else if (!recorded.equals(replayed)) {
      out.add((at.isEmpty() ? "/" : at) + ": recorded " + recorded + ", stand-in " + replayed);
    }
  }
}
