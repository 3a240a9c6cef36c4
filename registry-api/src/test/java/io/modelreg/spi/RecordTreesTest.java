package io.modelreg.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.modelreg.ArtifactEntry;
import io.modelreg.ArtifactManifest;
import io.modelreg.Digest;
import io.modelreg.IntegrityException;
import io.modelreg.Lineage;
import io.modelreg.MetricRecord;
import io.modelreg.RegistryEvent;
import io.modelreg.SemanticVersion;
import io.modelreg.Signature;
import io.modelreg.Stage;
import io.modelreg.VersionStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The record shapes and their validating readers. (The {@code file:} store's golden files pin the same shapes as
 * JSON text; this checks the trees and every error directly.)
 */
class RecordTreesTest {
  private static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");
  private static final Instant T1 = Instant.parse("2026-03-02T08:30:00Z");

  /** What a JSON parser gives back: integers as Long, decimals as Double, maps and lists copied. */
  static Object parsed(Object tree) {
    if (tree instanceof Map<?, ?> map) {
      Map<String, Object> out = new LinkedHashMap<>();
      map.forEach((k, v) -> out.put((String) k, v == null ? null : parsed(v)));
      return out;
    }
    if (tree instanceof List<?> list) {
      List<Object> out = new ArrayList<>();
      list.forEach(v -> out.add(v == null ? null : parsed(v)));
      return out;
    }
    if (tree instanceof Integer i) {
      return i.longValue();
    }
    if (tree instanceof Float f) {
      return f.doubleValue();
    }
    return tree;
  }

  private static Map<String, Object> mutable(Object tree) {
    @SuppressWarnings("unchecked")
    Map<String, Object> map = (Map<String, Object>) parsed(tree);
    return map;
  }

  static VersionRecord version() {
    ArtifactManifest manifest = ArtifactManifest.of(List.of(
        new ArtifactEntry("model.onnx", 3, Digest.ofUtf8("abc")), new ArtifactEntry("conf/p.json", 2, Digest.ofUtf8("{}"))));
    return new VersionRecord("churn", 3, SemanticVersion.parse("1.2.0-rc.1"), VersionStatus.READY, "third",
        Map.of("team", "growth"), Map.of("lr", "0.01"), Map.of("accuracy", 0.91),
        List.of(new MetricRecord("bench", T1, Map.of("latency_ms", 12.5), "p50")),
        Lineage.builder().runId("r1").parentVersion(2).gitCommit("abc123", true).dataset("d1").dependency("onnx", "1.17").build(),
        new Signature(List.of(Signature.Field.column("tenure", "double")), List.of(Signature.Field.tensor("p", "float32", -1, 2))),
        manifest, "blobs/sha256", T0, "ada", T1, 4);
  }

  @Test
  void aModelRecordHasFixedSnakeCaseKeysAndReadsBackEqual() {
    ModelRecord m = ModelRecord.create("churn", "predicts churn", Map.of("team", "growth"), T0)
        .withAliases(Map.of("champion", 2)).withStages(Map.of(1, Stage.ARCHIVED, 2, Stage.PRODUCTION), List.of(1))
        .withUpdatedAt(T1).withRevision(7);

    Map<String, Object> tree = RecordTrees.model(m);
    assertThat(tree.keySet()).containsExactly("name", "description", "tags", "aliases", "stages", "production_history",
        "created_at", "updated_at", "revision");
    assertThat(tree.get("stages")).isEqualTo(Map.of("1", "ARCHIVED", "2", "PRODUCTION"));
    assertThat(tree.get("created_at")).isEqualTo("2026-03-01T12:00:00Z");
    assertThat(RecordTrees.model(parsed(tree), "m.json")).isEqualTo(m);
    assertThat(RecordTrees.model(ModelRecord.create("x", null, Map.of(), T0)).keySet()).doesNotContain("description");
  }

  @Test
  void aVersionRecordHasFixedKeysTheManifestUnderArtifactsAndReadsBackEqual() {
    VersionRecord v = version();

    Map<String, Object> tree = RecordTrees.version(v);
    assertThat(tree.keySet()).containsExactly("model", "number", "semver", "status", "description", "tags", "params",
        "metrics", "metric_runs", "lineage", "signature", "artifacts", "artifact_location", "created_at", "created_by",
        "updated_at", "revision");
    @SuppressWarnings("unchecked")
    Map<String, Object> artifacts = (Map<String, Object>) tree.get("artifacts");
    assertThat(artifacts.get("digest")).isEqualTo(v.manifest().digest().toString());
    assertThat((List<?>) artifacts.get("files")).first().isEqualTo(Map.of("path", "conf/p.json", "size", 2L,
        "sha256", Digest.ofUtf8("{}").hex()));
    assertThat(RecordTrees.version(parsed(tree), "3.json")).isEqualTo(v);
  }

  @Test
  void aMetricRunKeepsItsConditionsAndOneWithoutThemHasItsOldShape() {
    MetricRecord measured = new MetricRecord("bench", T1, Map.of("latency_p50_ms", 0.41), "modelreg bench",
        Map.of("jdk", "17.0.13", "cpu", "AMD EPYC 7B13", "input.sha256", "ab12"));
    MetricRecord old = new MetricRecord("eval", T0, Map.of("accuracy", 0.9), "");
    List<Object> trees = RecordTrees.metricRuns(List.of(measured, old));
    assertThat(new ArrayList<Object>(((Map<?, ?>) trees.get(0)).keySet())).containsExactly("run_id", "time", "values", "notes", "conditions");
    assertThat(((Map<?, ?>) trees.get(0)).get("conditions")).isEqualTo(measured.conditions());
    assertThat(new ArrayList<Object>(((Map<?, ?>) trees.get(1)).keySet())).containsExactly("run_id", "time", "values", "notes");

    Map<String, Object> holder = new LinkedHashMap<>();
    holder.put("metric_runs", parsed(trees));
    assertThat(RecordTrees.metricRuns(TreeReader.of(holder, "v.json"), "metric_runs")).containsExactly(measured, old);

    // a record written before conditions existed has no such key and reads back with none
    Map<String, Object> legacy = new LinkedHashMap<>();
    legacy.put("metric_runs", List.of(Map.of("run_id", "eval", "time", T0.toString(), "values", Map.of("accuracy", 0.9),
        "notes", "")));
    assertThat(RecordTrees.metricRuns(TreeReader.of(legacy, "v.json"), "metric_runs")).containsExactly(old);
  }

  @Test
  void aConditionThatIsNotAStringIsDamageNamingIt() {
    Map<String, Object> t = mutable(RecordTrees.version(version()));
    @SuppressWarnings("unchecked")
    Map<String, Object> run = (Map<String, Object>) ((List<Object>) t.get("metric_runs")).get(0);
    run.put("conditions", Map.of("cores", 2L));
    corrupt(t, "field 'conditions.cores' must be a string");
  }

  @Test
  void lineageAndSignatureLeaveOutWhatIsUnknown() {
    assertThat(RecordTrees.lineage(Lineage.empty())).isEmpty();
    assertThat(RecordTrees.lineage(Lineage.builder().runId("r").build())).containsOnlyKeys("run_id");
    Map<String, Object> sig = RecordTrees.signature(new Signature(List.of(new Signature.Field(null, "string", null, false)), List.of()));
    assertThat(sig).isEqualTo(Map.of("inputs", List.of(Map.of("type", "string", "required", false)), "outputs", List.of()));
    VersionRecord bare = new VersionRecord("m", 1, null, VersionStatus.READY, null, Map.of(), Map.of(), Map.of(), List.of(),
        Lineage.empty(), null, ArtifactManifest.empty(), "loc", T0, "a", T0, 0);
    assertThat(RecordTrees.version(bare).keySet()).doesNotContain("semver", "description", "signature");
    assertThat(RecordTrees.version(parsed(RecordTrees.version(bare)), "1.json")).isEqualTo(bare);
  }

  @Test
  void anEventHasItsSequenceAndLeavesOutAMissingVersion() {
    RegistryEvent e = new RegistryEvent("churn", 5, T0, "ada", RegistryEvent.Type.STAGE_CHANGED, 2,
        Map.of("from", "STAGING", "to", "PRODUCTION"));
    Map<String, Object> tree = RecordTrees.event(e);
    assertThat(tree.keySet()).containsExactly("seq", "time", "actor", "type", "version", "details");
    assertThat(RecordTrees.event("churn", parsed(tree), "events.jsonl line 5")).isEqualTo(e);
    RegistryEvent created = new RegistryEvent("churn", 1, T0, "ada", RegistryEvent.Type.MODEL_CREATED, null, Map.of());
    assertThat(RecordTrees.event(created)).doesNotContainKey("version");
    assertThat(RecordTrees.event("churn", parsed(RecordTrees.event(created)), "l1")).isEqualTo(created);
  }

  // ------------------------------------------------------------------ damaged records

  private static void corrupt(Map<String, Object> tree, String message) {
    assertThatThrownBy(() -> RecordTrees.version(tree, "models/churn/versions/3.json"))
        .isInstanceOf(IntegrityException.class)
        .hasMessageStartingWith("Corrupt record models/churn/versions/3.json")
        .hasMessageContaining(message);
  }

  @Test
  void aDamagedVersionRecordIsAnIntegrityErrorNamingTheFileAndTheField() {
    Map<String, Object> t = mutable(RecordTrees.version(version()));
    t.remove("model");
    corrupt(t, "field 'model' is missing (a string)");

    t = mutable(RecordTrees.version(version()));
    t.put("number", "three");
    corrupt(t, "field 'number' must be an integer");

    t = mutable(RecordTrees.version(version()));
    t.put("number", 1L << 40);
    corrupt(t, "field 'number' must be an integer in int range");

    t = mutable(RecordTrees.version(version()));
    t.put("created_at", "yesterday");
    corrupt(t, "field 'created_at' must be an ISO-8601 instant such as 2026-01-01T00:00:00Z");

    t = mutable(RecordTrees.version(version()));
    t.put("semver", "1.2");
    corrupt(t, "field 'semver': ");

    // a map entry of the wrong type was once reported as missing: the check looked for "tags.team" in the record
    t = mutable(RecordTrees.version(version()));
    t.put("tags", Map.of("team", 5L));
    corrupt(t, "field 'tags.team' must be a string");

    t = mutable(RecordTrees.version(version()));
    t.put("metrics", Map.of("accuracy", "high"));
    corrupt(t, "field 'metrics.accuracy' must be a number");

    t = mutable(RecordTrees.version(version()));
    t.put("status", "DONE");
    corrupt(t, "field 'version': ");

    t = mutable(RecordTrees.version(version()));
    List<Object> files = (List<Object>) ((Map<String, Object>) t.get("artifacts")).get("files");
    java.util.Collections.reverse(files);
    corrupt(t, "field 'artifacts': Manifest files must be sorted by path and unique; 'model.onnx' comes before 'conf/p.json'");

    // a digest that does not match the files is read as it is: openArtifact and verify check consistency and say so
    t = mutable(RecordTrees.version(version()));
    ((Map<String, Object>) t.get("artifacts")).put("digest", "sha256:" + "0".repeat(64));
    assertThat(RecordTrees.version(t, "3.json").manifest().isConsistent()).isFalse();

    t = mutable(RecordTrees.version(version()));
    ((Map<String, Object>) t.get("artifacts")).put("files", "none");
    corrupt(t, "field 'files' must be an array");
  }

  @Test
  void damageInsideNestedPartsNamesThePart() {
    Map<String, Object> t = mutable(RecordTrees.version(version()));
    List<Object> runs = new ArrayList<>();
    runs.add("not an object");
    t.put("metric_runs", runs);
    corrupt(t, "(metric_runs): expected a JSON object");

    t = mutable(RecordTrees.version(version()));
    ((Map<String, Object>) t.get("lineage")).put("parent_version", 0L);
    corrupt(t, "field 'lineage': Parent version must be >= 1, got 0");

    t = mutable(RecordTrees.version(version()));
    ((Map<String, Object>) t.get("lineage")).put("git_dirty", "yes");
    corrupt(t, "field 'git_dirty' must be true, false or null");

    t = mutable(RecordTrees.version(version()));
    ((Map<String, Object>) t.get("lineage")).put("datasets", List.of(1L));
    corrupt(t, "field 'datasets' must be an array of strings");

    Map<String, Object> shape = mutable(RecordTrees.version(version()));
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> outputs = (List<Map<String, Object>>) ((Map<String, Object>) shape.get("signature")).get("outputs");
    outputs.get(0).put("shape", List.of(-1L, 2.5));
    assertThatThrownBy(() -> RecordTrees.version(shape, "3.json")).isInstanceOf(IntegrityException.class)
        .hasMessageContaining("shape entries must be integers");
  }

  @Test
  void aDamagedModelRecordNamesTheStageThatIsWrong() {
    Map<String, Object> t = mutable(RecordTrees.model(ModelRecord.create("churn", null, Map.of(), T0)));
    t.put("stages", Map.of("one", "STAGING"));
    assertThatThrownBy(() -> RecordTrees.model(t, "model.json")).isInstanceOf(IntegrityException.class)
        .hasMessageContaining("field 'stages'");
    t.put("stages", Map.of("1", "LIVE"));
    assertThatThrownBy(() -> RecordTrees.model(t, "model.json")).isInstanceOf(IntegrityException.class)
        .hasMessageContaining("field 'stages.1'");
    t.put("stages", Map.of());
    t.put("production_history", List.of("1"));
    assertThatThrownBy(() -> RecordTrees.model(t, "model.json")).isInstanceOf(IntegrityException.class)
        .hasMessageContaining("field 'production_history' must be an array of integers");
  }

  @Test
  void anUnknownEventTypeIsDamageNotACrash() {
    Map<String, Object> t = mutable(RecordTrees.event(
        new RegistryEvent("m", 1, T0, "a", RegistryEvent.Type.MODEL_CREATED, null, Map.of())));
    t.put("type", "MODEL_EXPLODED");
    assertThatThrownBy(() -> RecordTrees.event("m", t, "events.jsonl line 1")).isInstanceOf(IntegrityException.class)
        .hasMessageStartingWith("Corrupt record events.jsonl line 1: field 'event': ");
  }

  // ------------------------------------------------------------------ TreeReader

  @Test
  void treeReaderRefusesWhatIsNotAnObject() {
    assertThatThrownBy(() -> TreeReader.of(List.of(), "x.json")).isInstanceOf(IntegrityException.class)
        .hasMessage("Corrupt record x.json: expected a JSON object");
    assertThatThrownBy(() -> TreeReader.of(null, "x.json")).isInstanceOf(IntegrityException.class);
  }

  @Test
  void treeReaderGivesTypedValuesAndDefaultsForAbsentOptionalOnes() {
    Map<String, Object> tree = new LinkedHashMap<>();
    tree.put("s", "text");
    tree.put("n", 5L);
    tree.put("b", true);
    tree.put("nothing", null);
    tree.put("list", List.of("a", "b"));
    tree.put("obj", Map.of("k", 1L));
    TreeReader r = TreeReader.of(tree, "t");
    assertThat(r.str("s")).isEqualTo("text");
    assertThat(r.integer("n")).isEqualTo(5);
    assertThat(r.optInt("absent")).isNull();
    assertThat(r.optStr("nothing")).isNull();
    assertThat(r.has("nothing")).isFalse();
    assertThat(r.bool("b")).isTrue();
    assertThat(r.optBool("absent")).isNull();
    assertThat(r.strings("list")).containsExactly("a", "b");
    assertThat(r.list("absent")).isEmpty();
    assertThat(r.stringMap("absent")).isEmpty();
    assertThat(r.obj("obj").lng("k")).isEqualTo(1L);
    assertThat(r.optObj("absent")).isNull();
    assertThat(r.longMap("obj")).containsExactly(Map.entry("k", 1L));
    assertThatThrownBy(() -> r.bool("absent")).hasMessage("Corrupt record t: field 'absent' is missing (true or false)");
    assertThatThrownBy(() -> r.obj("s")).hasMessage("Corrupt record t: field 's' must be an object");
    assertThatThrownBy(() -> r.longMap("list")).hasMessage("Corrupt record t: field 'list' must be an object");
    assertThatThrownBy(() -> r.check("n", () -> {
      throw new IllegalArgumentException("too small");
    })).isInstanceOf(IntegrityException.class).hasMessage("Corrupt record t: field 'n': too small")
        .hasCauseInstanceOf(IllegalArgumentException.class);
  }
}
