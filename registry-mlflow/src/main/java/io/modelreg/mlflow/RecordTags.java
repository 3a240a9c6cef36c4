package io.modelreg.mlflow;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelreg.IntegrityException;
import io.modelreg.Names;
import io.modelreg.spi.ModelRecord;
import io.modelreg.spi.RecordTrees;
import io.modelreg.spi.VersionRecord;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * How records live in MLflow tags: a JSON value too large for one tag is split into chunks under a generation
 * and committed by a pointer tag written last ({@link #chunked}); user tags are every tag outside the reserved
 * {@code modelreg.} prefix; a registered model's record is its state tags plus MLflow's own name, description,
 * tags and aliases. Pure functions over MLflow's JSON answers, no requests.
 */
final class RecordTags {
  static final String PREFIX = Names.RESERVED_TAG_PREFIX;
  /** MLflow's limit on a tag value. */
  static final int TAG_LIMIT = 5000;
  /** The model tag every version write of this store changes last: the writers' half of the change token. */
  static final String VERSIONS_TAG = PREFIX + "versions";
  static final String STATE = PREFIX + "state";
  static final String RECORD = PREFIX + "record";
  /** MLflow's tag on prompts and prompt versions (Python's {@code mlflow.genai.register_prompt} sets it). */
  static final String IS_PROMPT = "mlflow.prompt.is_prompt";
  /**
   * The filter that shows prompts: MLflow's {@code registered-models/search} and {@code model-versions/search}
   * leave out every prompt, and every version of a prompt, unless the filter asks for them with this clause.
   */
  static final String PROMPT_FILTER = "tags.`" + IS_PROMPT + "` = 'true'";
  /** Parses to plain trees for {@link RecordTrees}: integers as Long, no polymorphic typing. */
  private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.USE_LONG_FOR_INTS);

  private RecordTags() {}

  /** The {@code tags} list of an MLflow entity as a sorted map. */
  static Map<String, String> tags(JsonNode node) {
    Map<String, String> out = new TreeMap<>();
    for (JsonNode t : node.path("tags")) {
      out.put(t.path("key").asText(), t.path("value").asText());
    }
    return out;
  }

  /** The tags outside the reserved {@code modelreg.} prefix. */
  static Map<String, String> userTags(Map<String, String> all) {
    Map<String, String> out = new TreeMap<>();
    all.forEach((k, v) -> {
      if (!k.startsWith(PREFIX)) {
        out.put(k, v);
      }
    });
    return out;
  }

  /** Tags as MLflow's request bodies list them. */
  static List<Map<String, String>> tagList(Map<String, String> tags) {
    List<Map<String, String>> out = new ArrayList<>();
    tags.forEach((k, v) -> out.add(Map.of("key", k, "value", v)));
    return out;
  }

  /**
   * A JSON value as tags that commit atomically. One that fits in a tag with its generation is the pointer tag
   * itself, {@code KEY = "<generation>:<json>"}: one request, and a single tag write is atomic. A larger one is
   * split into chunks ({@link #TAG_LIMIT} characters each) under {@code KEY.<generation>.<i>}, and the pointer tag
   * {@code KEY = "<generation>/<count>"} comes last in the map. Written in order, a failure before the pointer
   * leaves the previous value in force; repeating the write completes it.
   */
  static Map<String, String> chunked(String key, Object value, long generation) {
    String json = json(value);
    Map<String, String> out = new LinkedHashMap<>();
    String inline = generation + ":" + json;
    if (inline.length() <= TAG_LIMIT) {
      out.put(key, inline);
      return out;
    }
    int n = 0;
    for (int i = 0; i < json.length(); i += TAG_LIMIT) {
      out.put(key + "." + generation + "." + n++, json.substring(i, Math.min(json.length(), i + TAG_LIMIT)));
    }
    out.put(key, generation + "/" + n);
    return out;
  }

  /** Chunk tags of {@code key} in {@code tags} that {@code written} replaced; delete them after the pointer moved. */
  static List<String> staleChunks(Map<String, String> tags, String key, Map<String, String> written) {
    List<String> out = new ArrayList<>();
    for (String k : tags.keySet()) {
      if (k.startsWith(key + ".") && !written.containsKey(k)) {
        out.add(k);
      }
    }
    return out;
  }

  /** The JSON value stored by {@link #chunked}, as a plain tree for {@link RecordTrees}; null when absent. */
  static @Nullable Object unchunk(Map<String, String> tags, String key) {
    String pointer = tags.get(key);
    if (pointer == null) {
      return null;
    }
    int inline = inlineAt(pointer);
    if (inline > 0) {
      return tree(pointer.substring(inline + 1), "MLflow tag " + key);
    }
    String[] parts = pointer.split("/", -1);
    long generation;
    int n;
    try {
      if (parts.length != 2) {
        throw new NumberFormatException();
      }
      generation = Long.parseLong(parts[0]);
      n = Integer.parseInt(parts[1]);
    } catch (NumberFormatException e) {
      throw new IntegrityException("MLflow tag " + key + " must be <generation>/<chunks>, got '" + pointer + "'");
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n; i++) {
      String part = tags.get(key + "." + generation + "." + i);
      if (part == null) {
        throw new IntegrityException("MLflow tag " + key + "." + generation + "." + i + " is missing");
      }
      sb.append(part);
    }
    return tree(sb.toString(), "MLflow tags " + key + ".*");
  }

  /** Where the JSON of an inline value ({@code <generation>:<json>}) starts, less one; -1 for a chunk pointer. */
  private static int inlineAt(String pointer) {
    int colon = pointer.indexOf(':');
    return colon > 0 && colon <= 18 && pointer.substring(0, colon).chars().allMatch(c -> c >= '0' && c <= '9') ? colon : -1;
  }

  /**
   * What identifies a committed generation of a value stored by {@link #chunked}: the pointer of a chunked one, the
   * generation of an inline one (a generation, once committed, is never written with other content).
   */
  static String generationOf(String pointer) {
    int inline = inlineAt(pointer);
    return inline > 0 ? pointer.substring(0, inline + 1) : pointer;
  }

  static @Nullable Object tree(String json, String source) {
    try {
      return JSON.readValue(json, Object.class);
    } catch (IOException e) {
      throw new IntegrityException(source + " do not hold valid JSON", e);
    }
  }

  static String json(Object tree) {
    try {
      return JSON.writeValueAsString(tree);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  // ------------------------------------------------------------------ registered models

  /**
   * A registered model as MLflow holds it: our state tags hold the whole record; name, description, user
   * tags and aliases are MLflow's own, so changes made by MLflow clients show. A model created by MLflow
   * alone has no state yet and starts at revision 1 with no stages. The record carries the {@linkplain
   * #versionsToken versions token} of the same answer.
   */
  static ModelRecord model(JsonNode m) {
    Map<String, String> tags = tags(m);
    String name = m.path("name").asText();
    Map<String, Integer> aliases = new TreeMap<>();
    for (JsonNode a : m.path("aliases")) {
      aliases.put(a.path("alias").asText(), Integer.parseInt(a.path("version").asText()));
    }
    @Nullable String description = m.hasNonNull("description") ? m.path("description").asText() : null;
    Object state = unchunk(tags, STATE);
    if (state == null) {
      Instant created = Instant.ofEpochMilli(m.path("creation_timestamp").asLong());
      return new ModelRecord(name, description, userTags(tags), aliases, Map.of(), List.of(), created,
          Instant.ofEpochMilli(m.path("last_updated_timestamp").asLong()), 1, versionsToken(m));
    }
    ModelRecord stored = RecordTrees.model(state, "MLflow tags " + STATE + ".* of model '" + name + "'");
    return stored.withDescription(description).withTags(userTags(tags)).withAliases(aliases)
        .withVersionsToken(versionsToken(m));
  }

  /**
   * What changes in a {@code registered-models/get} answer whenever the model's version list may have:
   * the model's identity (creation time), its last update time, the tag this store's version writes change
   * last, and MLflow's newest version per stage (which moves when any client registers, deletes or
   * transitions a version). Observed on MLflow 3.1.3: {@code model-versions/create}, {@code model-versions/delete}
   * and {@code transition-stage} set the model's {@code last_updated_timestamp}; a version's tags and
   * description do not (a description moves only that version's own time), nor do model tags or aliases. So a
   * registration needs no tag write to move the token (a new version is the newest of stage None), while a
   * record rewritten in a version's tags does.
   */
  static String versionsToken(JsonNode m) {
    StringBuilder sb = new StringBuilder()
        .append(m.path("creation_timestamp").asLong()).append('|')
        .append(m.path("last_updated_timestamp").asLong()).append('|')
        .append(tags(m).getOrDefault(VERSIONS_TAG, "")).append('|');
    for (JsonNode v : m.path("latest_versions")) {
      sb.append(v.path("version").asText()).append(':').append(v.path("current_stage").asText()).append(':')
          .append(v.path("status").asText()).append(':').append(v.path("last_updated_timestamp").asLong()).append(',');
    }
    return sb.toString();
  }

  /** The model record at {@code revision} as chunked state tags. */
  static Map<String, String> stateTags(ModelRecord m, long revision) {
    return chunked(STATE, RecordTrees.model(m.withRevision(revision)), revision);
  }

  // ------------------------------------------------------------------ versions

  /** The whole version record as chunked JSON tags, plus readable tags MLflow users can search by. */
  static Map<String, String> recordTags(VersionRecord v, long revision) {
    Map<String, String> tags = new LinkedHashMap<>();
    tags.put(PREFIX + "digest", v.manifest().digest().toString());
    if (v.semver() != null) {
      tags.put(PREFIX + "semver", v.semver().toString());
    }
    tags.putAll(chunked(RECORD, RecordTrees.version(v.withRevision(revision)), revision));
    return tags;
  }
}
