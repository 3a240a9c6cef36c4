package io.modelreg.filesystem;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelreg.ArtifactManifest;
import io.modelreg.Lineage;
import io.modelreg.MetricRecord;
import io.modelreg.ModelRegistries;
import io.modelreg.ModelRegistry;
import io.modelreg.ModelVersion;
import io.modelreg.RegisteredModel;
import io.modelreg.Registration;
import io.modelreg.RegistryEvent;
import io.modelreg.RegistryOptions;
import io.modelreg.Signature;
import io.modelreg.Stage;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code file:} store's persisted formats against a registry directory written by the code of 2026-12-02 and
 * committed under {@code src/test/resources/golden/registry}: model records, version records (with their
 * artifact manifests), event logs, the counter, the directory's format file and content-addressed blobs. A later
 * version must read it; writing the same data today must give the same files, byte for byte, so a format
 * change shows in review as a change to these files.
 */
class GoldenFilesTest {
  static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
  @TempDir Path dir;

  static Path golden() {
    try {
      return Path.of(GoldenFilesTest.class.getResource("/golden/registry/modelreg.json").toURI()).getParent();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Writes the golden registry's data into a new registry at {@code root}. */
  static void write(Path root) {
    RegistryOptions options = RegistryOptions.builder().actor("golden").cacheTtl(Duration.ZERO)
        .clock(Clock.fixed(NOW, ZoneOffset.UTC)).build();
    try (ModelRegistry r = ModelRegistries.open(root.toUri(), options)) {
      r.createModel("churn", "predicts churn", Map.of("team", "growth"));
      r.register("churn", Registration.builder()
          .bytes("model.onnx", utf8("weights of v1\n"))
          .bytes("conf/preprocessor.json", utf8("{\"steps\": []}\n"))
          .semver("1.0.0").description("first").tag("data", "2026-01").param("lr", "0.01").metric("accuracy", 0.81)
          .lineage(Lineage.builder().runId("run-1").sourceUri("s3://bucket/run-1")
              .gitCommit("0123456789abcdef0123456789abcdef01234567", true)
              .dataset("synthetic-churn?seed=1").dependency("tribuo", "4.3.2").build())
          .signature(new Signature(List.of(Signature.Field.column("tenure", "double"),
              new Signature.Field("plan", "string", null, false)), List.of(Signature.Field.tensor("p", "float32", -1, 2))))
          .build());
      r.recordMetrics("churn", 1, new MetricRecord("eval-1", Instant.parse("2026-02-01T00:00:00Z"),
          Map.of("accuracy", 0.8, "latency_ms", 12.5), "fold 1"));
      r.register("churn", Registration.builder().bytes("model.onnx", utf8("weights of v2\n"))
          .semver("1.1.0").metric("accuracy", 0.86).lineage(Lineage.builder().parentVersion(1).build()).build());
      r.register("churn", Registration.builder().bytes("model.onnx", utf8("weights of v3\n")).semver("2.0.0-rc.1").build());
      r.transition("churn", 1, Stage.STAGING);
      r.transition("churn", 1, Stage.PRODUCTION);
      r.transition("churn", 2, Stage.STAGING);
      r.transition("churn", 2, Stage.PRODUCTION);
      r.setAlias("churn", "champion", 2);
      r.setVersionTag("churn", 2, "approved_by", "alice");
      r.setModelTag("churn", "owner", "ada");
      r.deleteModelTag("churn", "owner");
      r.deleteVersion("churn", 3);
      r.rollback("churn");
      r.transition("churn", 2, Stage.STAGING);
      r.transition("churn", 2, Stage.PRODUCTION);
      r.register("prompt-greet", Registration.builder().bytes("prompt.txt", utf8("Hello {name}!")).build());
    }
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** Every file below {@code root} except locks and temporary files, relative path → bytes as text. */
  static Map<String, String> files(Path root) throws IOException {
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.filter(Files::isRegularFile).toList()) {
        String rel = root.relativize(p).toString().replace('\\', '/');
        if (!rel.startsWith("locks/") && !rel.startsWith("tmp/")) {
          out.put(rel, Files.readString(p, StandardCharsets.UTF_8));
        }
      }
    }
    return out;
  }

  static Path copy(Path from, Path to) throws IOException {
    try (Stream<Path> walk = Files.walk(from)) {
      for (Path p : walk.toList()) {
        Path q = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(q);
        } else {
          Files.copy(p, q);
        }
      }
    }
    return to;
  }

  @Test
  void writingTheSameDataTodayGivesTheGoldenFilesByteForByte() throws IOException {
    Path now = dir.resolve("now");
    write(now);
    Map<String, String> written = files(now);
    Map<String, String> golden = files(golden());
    // modelreg.json's created_at comes from the registry's clock too, so every file compares whole
    assertThat(written).isEqualTo(golden);
  }

  @Test
  void theGoldenRegistryReadsBackWithEveryFact() throws IOException {
    Path root = copy(golden(), dir.resolve("copy"));
    try (ModelRegistry r = ModelRegistries.open(root.toUri())) {
      assertThat(r.listModels()).extracting(RegisteredModel::name).containsExactly("churn", "prompt-greet");
      RegisteredModel churn = r.getModel("churn");
      assertThat(churn.description()).contains("predicts churn");
      assertThat(churn.tags()).containsExactly(Map.entry("team", "growth"));
      assertThat(churn.userAliases()).containsExactly(Map.entry("champion", 2));
      assertThat(churn.productionVersion()).contains(2);
      assertThat(churn.createdAt()).isEqualTo(NOW);

      List<ModelVersion> versions = r.listVersions("churn");
      assertThat(versions).extracting(ModelVersion::number).containsExactly(1, 2);
      ModelVersion v1 = versions.get(0);
      assertThat(v1.stage()).isEqualTo(Stage.ARCHIVED);
      assertThat(v1.semver().orElseThrow()).hasToString("1.0.0");
      assertThat(v1.description()).contains("first");
      assertThat(v1.tags()).containsExactly(Map.entry("data", "2026-01"));
      assertThat(v1.params()).containsExactly(Map.entry("lr", "0.01"));
      assertThat(v1.metrics()).containsExactly(Map.entry("accuracy", 0.81));
      assertThat(v1.metricRuns()).containsExactly(new MetricRecord("eval-1", Instant.parse("2026-02-01T00:00:00Z"),
          Map.of("accuracy", 0.8, "latency_ms", 12.5), "fold 1"));
      assertThat(v1.lineage().gitDirty()).isTrue();
      assertThat(v1.lineage().dependencies()).containsExactly(Map.entry("tribuo", "4.3.2"));
      Signature sig = v1.signature().orElseThrow();
      assertThat(sig.inputs().get(1)).isEqualTo(new Signature.Field("plan", "string", null, false));
      assertThat(sig.outputs().get(0)).isEqualTo(Signature.Field.tensor("p", "float32", -1, 2));
      // the manifest digest rule (sha256 over "<sha256> <size> <path>\n", sorted) is pinned by the stored digest
      assertThat(ArtifactManifest.computeDigest(v1.manifest().files())).isEqualTo(v1.digest());
      assertThat(v1.digest()).hasToString("sha256:6754c9f483c1abb6bd0da7aae69a2fd2d7f90d422011d85077a6f99b4e16d0d7");
      try (InputStream in = r.openArtifact(v1, "conf/preprocessor.json")) {
        assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("{\"steps\": []}\n");
      }
      ModelVersion v2 = versions.get(1);
      assertThat(v2.stage()).isEqualTo(Stage.PRODUCTION);
      assertThat(v2.tags()).containsEntry("approved_by", "alice");
      assertThat(v2.lineage().parentVersion()).isEqualTo(1);

      List<RegistryEvent> history = r.history("churn");
      assertThat(history).extracting(RegistryEvent::sequence).containsExactlyElementsOf(
          java.util.stream.LongStream.rangeClosed(1, history.size()).boxed().toList());
      assertThat(history).extracting(RegistryEvent::type).contains(RegistryEvent.Type.MODEL_TAG_SET,
          RegistryEvent.Type.MODEL_TAG_DELETED, RegistryEvent.Type.ROLLBACK);
      assertThat(history).allSatisfy(e -> assertThat(e.actor()).isEqualTo("golden"));
      // rollback returned production to v1; v2 was promoted again, so v1 is the one to roll back to
      assertThat(r.rollback("churn").number()).isEqualTo(1);

      // the counter survives: version 3 was deleted, the next one is 4
      assertThat(r.register("churn", Registration.builder().bytes("x", utf8("x")).semver("3.0.0").build()).number())
          .isEqualTo(4);
      assertThat(r.verify().isClean()).isTrue();
    }
  }
}
