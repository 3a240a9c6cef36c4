package io.modelreg.mlflow;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.modelreg.ArtifactEntry;
import io.modelreg.ArtifactManifest;
import io.modelreg.Digest;
import io.modelreg.Lineage;
import io.modelreg.MetricRecord;
import io.modelreg.RegistryEvent;
import io.modelreg.SemanticVersion;
import io.modelreg.Signature;
import io.modelreg.Stage;
import io.modelreg.VersionStatus;
import io.modelreg.spi.ModelRecord;
import io.modelreg.spi.RecordTrees;
import io.modelreg.spi.VersionRecord;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The MLflow store's persisted encoding against tags written by the code of 2026-12-02 and committed as
 * {@code src/test/resources/golden/mlflow-tags.json}: a registered model with its record in chunked {@code
 * modelreg.state} tags beside MLflow's own name, description, tags and aliases; a version's {@code
 * modelreg.record} chunks (over MLflow's 5000-character tag limit, so split) with the readable digest and
 * semver tags; and history-run event tags. A later version must read them; encoding the same records today
 * must give the same tags, so a format change shows in review as a change to that file. Run with {@code
 * -Dmodelreg.golden.rewrite=true} to write the file again after a deliberate change.
 */
class RecordTagsGoldenTest {
  static final Path GOLDEN = Path.of("src/test/resources/golden/mlflow-tags.json");
  static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");
  static final Instant T1 = Instant.parse("2026-03-02T08:30:00Z");
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  static ModelRecord model() {
    return ModelRecord.create("churn", "predicts churn", Map.of("team", "growth"), T0)
        .withAliases(Map.of("champion", 2)).withStages(Map.of(1, Stage.ARCHIVED, 2, Stage.PRODUCTION), List.of(1))
        .withUpdatedAt(T1);
  }

  static VersionRecord version() {
    List<ArtifactEntry> files = new ArrayList<>();
    for (int i = 0; i < 40; i++) { // enough files that the record needs two tags
      files.add(new ArtifactEntry(String.format("shards/part-%03d.bin", i), 1000 + i, Digest.ofUtf8("shard " + i)));
    }
    files.add(new ArtifactEntry("model.onnx", 3, Digest.ofUtf8("abc")));
    return new VersionRecord("churn", 2, SemanticVersion.parse("1.2.0-rc.1"), VersionStatus.READY, "second",
        Map.of("data", "2026-02"), Map.of("lr", "0.01"), Map.of("accuracy", 0.91),
        List.of(new MetricRecord("bench", T1, Map.of("latency_ms", 12.5), "p50")),
        Lineage.builder().runId("r1").parentVersion(1).gitCommit("0123456789abcdef0123456789abcdef01234567", true)
            .dataset("synthetic-churn?seed=1").dependency("onnx", "1.17").build(),
        new Signature(List.of(Signature.Field.column("tenure", "double"), new Signature.Field("plan", "string", null, false)),
            List.of(Signature.Field.tensor("p", "float32", -1, 2))),
        ArtifactManifest.of(files), "mlflow-artifacts:/7/abc/artifacts", T0, "ada", T1, 0);
  }

  static List<RegistryEvent> events() {
    return List.of(
        new RegistryEvent("churn", 1, T0, "ada", RegistryEvent.Type.MODEL_CREATED, null, Map.of("description", "predicts churn")),
        new RegistryEvent("churn", 2, T1, "ada", RegistryEvent.Type.STAGE_CHANGED, 2, Map.of("from", "STAGING", "to", "PRODUCTION")));
  }

  private static ArrayNode tagList(Map<String, String> tags) {
    ArrayNode out = JSON.createArrayNode();
    tags.forEach((k, v) -> out.addObject().put("key", k).put("value", v));
    return out;
  }

  /** The tags today's code writes for the records above, shaped as MLflow's answers hold them. */
  static String encodeToday() throws IOException {
    ModelRecord m = model();
    ObjectNode root = JSON.createObjectNode();
    ObjectNode registered = root.putObject("registered_model");
    registered.put("name", m.name());
    registered.put("description", m.description());
    registered.put("creation_timestamp", T0.toEpochMilli());
    registered.put("last_updated_timestamp", T1.toEpochMilli());
    Map<String, String> modelTags = new LinkedHashMap<>(m.tags());
    modelTags.putAll(RecordTags.stateTags(m, 3));
    registered.set("tags", tagList(modelTags));
    ArrayNode aliases = registered.putArray("aliases");
    m.aliases().forEach((alias, n) -> aliases.addObject().put("alias", alias).put("version", Integer.toString(n)));
    root.putObject("model_version").set("tags", tagList(RecordTags.recordTags(version(), 5)));
    Map<String, String> eventTags = new LinkedHashMap<>();
    for (RegistryEvent e : events()) {
      eventTags.put(String.format("event.%06d", e.sequence()), RecordTags.json(RecordTrees.event(e)));
    }
    root.putObject("history_run").set("tags", tagList(eventTags));
    return JSON.writeValueAsString(root) + "\n";
  }

  @Test
  void encodingTheSameRecordsTodayGivesTheGoldenTags() throws IOException {
    String today = encodeToday();
    if (Boolean.getBoolean("modelreg.golden.rewrite")) {
      Files.writeString(GOLDEN, today, StandardCharsets.UTF_8);
    }
    assertThat(today).isEqualTo(Files.readString(GOLDEN, StandardCharsets.UTF_8));
  }

  /**
   * Today's tags and those of earlier formats, which a later version must still read: {@code
   * mlflow-tags-chunked-state.json} holds a model state written in chunk tags, as every record was before
   * records that fit one tag were stored inline ({@code <generation>:<json>}).
   */
  @ParameterizedTest
  @ValueSource(strings = {"mlflow-tags.json", "mlflow-tags-chunked-state.json"})
  void theGoldenTagsReadBackAsTheRecordsWithEveryFact(String file) throws IOException {
    JsonNode golden = JSON.readTree(GOLDEN.resolveSibling(file).toFile());
    ModelRecord m = RecordTags.model(golden.path("registered_model"));
    assertThat(m.withVersionsToken(null)).isEqualTo(model().withRevision(3));
    assertThat(m.stageOf(2)).isEqualTo(Stage.PRODUCTION);

    Map<String, String> versionTags = RecordTags.tags(golden.path("model_version"));
    assertThat(versionTags).containsEntry(RecordTags.RECORD, "5/2").containsKeys("modelreg.record.5.0", "modelreg.record.5.1")
        .containsEntry("modelreg.semver", "1.2.0-rc.1");
    assertThat(versionTags.get("modelreg.record.5.0")).hasSize(RecordTags.TAG_LIMIT);
    VersionRecord v = RecordTrees.version(RecordTags.unchunk(versionTags, RecordTags.RECORD), "golden");
    assertThat(v).isEqualTo(version().withRevision(5));
    assertThat(versionTags.get("modelreg.digest")).isEqualTo(v.manifest().digest().toString());
    assertThat(v.manifest().isConsistent()).isTrue();

    List<RegistryEvent> read = new ArrayList<>();
    RecordTags.tags(golden.path("history_run")).forEach((key, json) -> read.add(RecordTrees.event("churn",
        RecordTags.tree(json, key), key).withSequence(Long.parseLong(key.substring("event.".length())))));
    assertThat(read).isEqualTo(events());
  }
}
