package io.modelreg.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.modelreg.AlreadyExistsException;
import io.modelreg.ArtifactEntry;
import io.modelreg.Comparison;
import io.modelreg.Digest;
import io.modelreg.IntegrityException;
import io.modelreg.Lineage;
import io.modelreg.MetricRecord;
import io.modelreg.ModelNotFoundException;
import io.modelreg.ModelRegistries;
import io.modelreg.ModelRegistry;
import io.modelreg.ModelUri;
import io.modelreg.ModelVersion;
import io.modelreg.NotFoundException;
import io.modelreg.Page;
import io.modelreg.PromotionPolicy;
import io.modelreg.PromotionRejectedException;
import io.modelreg.RegisteredModel;
import io.modelreg.Registration;
import io.modelreg.RegistryEvent;
import io.modelreg.RegistryOptions;
import io.modelreg.SearchRequest;
import io.modelreg.SemverPolicy;
import io.modelreg.Signature;
import io.modelreg.Stage;
import io.modelreg.Subscription;
import io.modelreg.VersionNotFoundException;
import io.modelreg.spi.RegistryStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The contract every {@link RegistryStore} must meet, run through the policy layer exactly as users see
 * it. A backend's test extends this class and implements {@link #newStore()}; capability methods
 * declare what a backend cannot do, and the tests that need it are then reported as skipped.
 *
 * <pre>{@code
 * class MyStoreCompatibilityTest extends RegistryCompatibilityKit {
 *   @Override
 *   protected RegistryStore newStore() {
 *     return new MyStore(...fresh, empty...);
 *   }
 * }
 * }</pre>
 *
 * The kit drives time with a {@link MutableClock} and never sleeps; watch tests wait on a queue with a
 * generous timeout. Exception types are part of the contract.
 */
public abstract class RegistryCompatibilityKit {
  /** When the kit's clock starts. */
  protected static final Instant START = Instant.parse("2026-01-01T00:00:00Z");
  /** The actor the kit's registries record. */
  protected static final String ACTOR = "kit-tester";
  /** How long metadata may be cached; the kit moves the clock past it to see other clients' writes. */
  protected static final Duration CACHE_TTL = Duration.ofSeconds(1);
  private static final long WAIT_SECONDS = 20;

  protected MutableClock clock = new MutableClock(START);
  protected RegistryStore store;
  protected ModelRegistry registry;
  private final List<AutoCloseable> toClose = new ArrayList<>();

  /** A fresh, empty store. Called once before every test (and again by tests that need a second registry). */
  protected abstract RegistryStore newStore();

  /**
   * Another client on the same data as {@code store}, as a second process would open it; empty when the
   * backend cannot share data (tests of cross-client visibility are then skipped).
   */
  protected Optional<RegistryStore> secondClient(RegistryStore store) {
    return Optional.empty();
  }

  /**
   * Damages the stored bytes of one artifact (flip a byte, truncate), so the kit can check that reads
   * detect it; return false when the backend cannot (those tests are then skipped).
   */
  protected boolean corruptArtifact(RegistryStore store, ModelVersion version, ArtifactEntry entry) {
    return false;
  }

  /** Whether {@link ModelRegistry#gc()} deletes unreferenced bytes; false skips the gc tests. */
  protected boolean collectsGarbage() {
    return true;
  }

  /**
   * Whether version numbers keep counting after a model is deleted and created again; false for a backend
   * whose server restarts numbering with the model and that cannot work around it, which skips that one test.
   */
  protected boolean numbersSurviveModelDeletion() {
    return true;
  }

  /**
   * Whether one store instance keeps concurrent writers to one model apart by itself, as the SPI asks (all
   * methods thread-safe; two updates from one revision: one wins, the other is a ConflictException). False
   * for a store that relies on the policy layer's in-process lock instead; that one test (two registries on
   * one store) is then skipped, and the backend documents the gap. Two registries on two clients are still
   * checked.
   */
  protected boolean oneStoreManyWriters() {
    return true;
  }

  /** How many threads the concurrency tests use; lower it for slow remote backends. */
  protected int concurrency() {
    return 8;
  }

  /** The options the kit's registries use: its clock and actor, a short cache, fast watch polling. */
  protected RegistryOptions.Builder options() {
    return RegistryOptions.builder()
        .clock(clock)
        .actor(ACTOR)
        .cacheTtl(CACHE_TTL)
        .watchPollInterval(Duration.ofMillis(20));
  }

  @BeforeEach
  void openRegistry() {
    clock = new MutableClock(START);
    store = newStore();
    registry = ModelRegistries.create(store, options().build());
  }

  @AfterEach
  void closeRegistry() throws Exception {
    for (AutoCloseable c : toClose) {
      c.close();
    }
    toClose.clear();
    registry.close();
  }

  /** A registry on a new, empty store with modified options; closed after the test. */
  protected ModelRegistry openWith(RegistryOptions.Builder options) {
    ModelRegistry r = ModelRegistries.create(newStore(), options.build());
    toClose.add(r);
    return r;
  }

  /** A second registry on the same data, or skips the test. */
  protected ModelRegistry secondRegistry() {
    Optional<RegistryStore> other = secondClient(store);
    assumeTrue(other.isPresent(), "the backend does not offer a second client on the same data");
    ModelRegistry r = ModelRegistries.create(other.get(), options().build());
    toClose.add(r);
    return r;
  }

  // ---------------------------------------------------------------- helpers

  protected static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  protected static Registration.Builder files(String... pathsAndContents) {
    Registration.Builder b = Registration.builder();
    for (int i = 0; i + 1 < pathsAndContents.length; i += 2) {
      b.bytes(pathsAndContents[i], utf8(pathsAndContents[i + 1]));
    }
    return b;
  }

  protected ModelVersion registerSimple(String name) {
    return registry.register(name, files("model.bin", "weights of " + name).build());
  }

  protected ModelVersion registerWith(String name, String semver) {
    return registry.register(name, files("model.bin", name + " " + semver).semver(semver).build());
  }

  protected static String read(ModelRegistry r, ModelVersion v, String path) {
    try (InputStream in = r.openArtifact(v, path)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  protected ModelVersion promoteToProduction(String name, int version) {
    registry.transition(name, version, Stage.STAGING);
    return registry.transition(name, version, Stage.PRODUCTION);
  }

  private static List<Integer> numbers(List<ModelVersion> versions) {
    List<Integer> out = new ArrayList<>();
    for (ModelVersion v : versions) {
      out.add(v.number());
    }
    return out;
  }

  private static List<RegistryEvent.Type> types(List<RegistryEvent> events) {
    List<RegistryEvent.Type> out = new ArrayList<>();
    for (RegistryEvent e : events) {
      out.add(e.type());
    }
    return out;
  }

  // ================================================================ groups

  @Nested
  @DisplayName("Registered models")
  class Models {
    @Test
    @DisplayName("are created with description and tags, and read back")
    void createAndGet() {
      RegisteredModel m = registry.createModel("churn", "predicts churn", Map.of("team", "growth"));
      assertThat(m.name()).isEqualTo("churn");
      assertThat(registry.getModel("churn").description()).contains("predicts churn");
      assertThat(registry.getModel("churn").tags()).containsExactly(Map.entry("team", "growth"));
      assertThat(registry.getModel("churn").createdAt()).isEqualTo(START);
      assertThat(registry.findModel("other")).isEmpty();
    }

    @Test
    @DisplayName("cannot be created twice")
    void duplicate() {
      registry.createModel("churn");
      assertThatThrownBy(() -> registry.createModel("churn")).isInstanceOf(AlreadyExistsException.class)
          .hasMessageContaining("churn");
    }

    @Test
    @DisplayName("are listed by name")
    void list() {
      registry.createModel("b");
      registry.createModel("a");
      registerSimple("c");
      assertThat(registry.listModels()).extracting(RegisteredModel::name).containsExactly("a", "b", "c");
    }

    @Test
    @DisplayName("get their description updated and cleared")
    void description() {
      registry.createModel("churn");
      registry.updateModelDescription("churn", "v2 of the idea");
      assertThat(registry.getModel("churn").description()).contains("v2 of the idea");
      registry.updateModelDescription("churn", null);
      assertThat(registry.getModel("churn").description()).isEmpty();
    }

    @Test
    @DisplayName("are deleted with all their versions")
    void delete() {
      registerSimple("churn");
      registerSimple("churn");
      registry.deleteModel("churn");
      assertThat(registry.findModel("churn")).isEmpty();
      assertThatThrownBy(() -> registry.getVersion("churn", 1)).isInstanceOf(ModelNotFoundException.class);
      assertThatThrownBy(() -> registry.deleteModel("churn")).isInstanceOf(ModelNotFoundException.class);
    }

    @Test
    @DisplayName("reject names that are not [A-Za-z0-9][A-Za-z0-9._-]* of at most 255 characters")
    void badNames() {
      for (String bad : List.of("", "../x", "a/b", "a\\b", "a\u0000b", "a\nb", ".hidden", "-x", "x".repeat(256),
          "x".repeat(10_000), "spaces here")) {
        assertThatThrownBy(() -> registry.createModel(bad)).as("name %s", bad)
            .isInstanceOf(IllegalArgumentException.class);
      }
      assertThat(registry.listModels()).isEmpty();
      assertThat(registry.createModel("a.b_c-1").name()).isEqualTo("a.b_c-1");
    }
  }

  @Nested
  @DisplayName("Registration")
  class Registering {
    @Test
    @DisplayName("stores every artifact with its size and SHA-256, and a version digest over the manifest")
    void manifest() {
      ModelVersion v = registry.register("churn", files("model.onnx", "onnx bytes", "conf/params.json", "{}").build());
      assertThat(v.manifest().files()).extracting(ArtifactEntry::path).containsExactly("conf/params.json", "model.onnx");
      ArtifactEntry onnx = v.manifest().find("model.onnx").orElseThrow();
      assertThat(onnx.size()).isEqualTo(10);
      assertThat(onnx.digest()).isEqualTo(Digest.of(utf8("onnx bytes")));
      assertThat(v.manifest().isConsistent()).isTrue();
      assertThat(read(registry, v, "model.onnx")).isEqualTo("onnx bytes");
      assertThat(read(registry, v, "conf/params.json")).isEqualTo("{}");
    }

    @Test
    @DisplayName("gives the same digest to the same files, and another to different files")
    void digestIsContentBased() {
      ModelVersion a = registry.register("m", files("a", "1", "b", "2").build());
      ModelVersion b = registry.register("m", files("b", "2", "a", "1").build());
      ModelVersion c = registry.register("m", files("a", "1", "b", "3").build());
      assertThat(a.digest()).isEqualTo(b.digest()).isNotEqualTo(c.digest());
    }

    @Test
    @DisplayName("keeps description, tags, params, metrics, lineage, signature and who registered when")
    void metadata() {
      Signature sig = new Signature(List.of(Signature.Field.column("age", "double")),
          List.of(Signature.Field.tensor("score", "float32", -1, 1)));
      Lineage lineage = Lineage.builder().runId("run-1").sourceUri("s3://bucket/run-1").gitCommit("abc123", true)
          .dataset("data:/customers@3").dependency("tribuo", "4.3.2").build();
      clock.advance(Duration.ofMinutes(5));
      ModelVersion v = registry.register("churn", files("model.bin", "x").description("first").tag("team", "growth")
          .param("lr", "0.1").metric("accuracy", 0.91).lineage(lineage).signature(sig).semver("1.0.0").build());
      ModelVersion read = registry.getVersion("churn", v.number());
      assertThat(read.description()).contains("first");
      assertThat(read.tags()).containsEntry("team", "growth");
      assertThat(read.params()).containsEntry("lr", "0.1");
      assertThat(read.metrics()).containsEntry("accuracy", 0.91);
      assertThat(read.lineage()).isEqualTo(lineage);
      assertThat(read.signature()).contains(sig);
      assertThat(read.semver().map(Object::toString)).contains("1.0.0");
      assertThat(read.createdBy()).isEqualTo(ACTOR);
      assertThat(read.createdAt()).isEqualTo(START.plus(Duration.ofMinutes(5)));
      assertThat(read.stage()).isEqualTo(Stage.DEVELOPMENT);
    }

    @Test
    @DisplayName("creates the model when it does not exist")
    void autoCreate() {
      registerSimple("fresh");
      assertThat(registry.getModel("fresh").name()).isEqualTo("fresh");
    }

    @Test
    @DisplayName("reads files and whole directories from disk")
    void fromDisk(@TempDir Path dir) throws IOException {
      Path model = dir.resolve("model");
      Files.createDirectories(model.resolve("sub"));
      Files.writeString(model.resolve("MLmodel"), "flavors: {}");
      Files.writeString(model.resolve("sub/vocab.txt"), "a\nb\n");
      Path extra = Files.writeString(dir.resolve("README.md"), "readme");
      ModelVersion v = registry.register("disk", Registration.builder().directory(model).file(extra).build());
      assertThat(v.manifest().files()).extracting(ArtifactEntry::path)
          .containsExactly("MLmodel", "README.md", "sub/vocab.txt");
      Path out = registry.download(v, dir.resolve("out"));
      assertThat(Files.readString(out.resolve("sub/vocab.txt"))).isEqualTo("a\nb\n");
      assertThat(Files.readString(out.resolve("MLmodel"))).isEqualTo("flavors: {}");
    }

    @Test
    @DisplayName("rejects artifact paths that could escape, and reserved tag keys, before storing anything")
    void badInput() {
      for (String bad : List.of("../x", "/etc/passwd", "a/../../b", "a\\b", "C:/x", "a//b", "./a", "a\u0000")) {
        assertThatThrownBy(() -> Registration.builder().bytes(bad, new byte[1])).as("path %s", bad)
            .isInstanceOf(IllegalArgumentException.class);
      }
      assertThatThrownBy(() -> Registration.builder().tag("modelreg.stage", "x"))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("reserved");
      assertThatThrownBy(() -> Registration.builder().metric("loss", Double.NaN))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("finite");
      assertThatThrownBy(() -> Registration.builder().bytes("a", new byte[1]).bytes("a", new byte[2]))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("twice");
      assertThat(registry.listModels()).isEmpty();
    }

    @Test
    @DisplayName("leaves no version behind when reading an artifact fails")
    void failingSource() {
      Registration r = files("ok.bin", "fine").stream("bad.bin", () -> {
        throw new IOException("disk on fire");
      }).build();
      assertThatThrownBy(() -> registry.register("broken", r)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("bad.bin").hasMessageContaining("disk on fire");
      assertThat(registry.findModel("broken")).isEmpty();
      assertThat(registerSimple("broken").number()).isGreaterThanOrEqualTo(1);
    }
  }

  @Nested
  @DisplayName("Version numbers")
  class Numbering {
    @Test
    @DisplayName("are 1, 2, 3 … per model")
    void consecutive() {
      assertThat(registerSimple("a").number()).isEqualTo(1);
      assertThat(registerSimple("a").number()).isEqualTo(2);
      assertThat(registerSimple("b").number()).isEqualTo(1);
      assertThat(registerSimple("a").number()).isEqualTo(3);
      assertThat(numbers(registry.listVersions("a"))).containsExactly(1, 2, 3);
    }

    @Test
    @DisplayName("are never reused after a version is deleted")
    void notReusedAfterVersionDelete() {
      registerSimple("a");
      registerSimple("a");
      registry.deleteVersion("a", 2);
      assertThat(registerSimple("a").number()).isEqualTo(3);
      assertThat(numbers(registry.listVersions("a"))).containsExactly(1, 3);
    }

    @Test
    @DisplayName("are never reused after the model is deleted and created again")
    void notReusedAfterModelDelete() {
      assumeTrue(numbersSurviveModelDeletion(), "the backend restarts numbering when a model is recreated");
      registerSimple("a");
      registerSimple("a");
      registry.deleteModel("a");
      assertThat(registerSimple("a").number()).isEqualTo(3);
    }

    @Test
    @DisplayName("continue when this client registers on a model another client deleted meanwhile")
    void afterDeleteByAnotherClient() {
      assumeTrue(numbersSurviveModelDeletion(), "the backend restarts numbering when a model is recreated");
      ModelRegistry other = secondRegistry();
      registerSimple("a");
      registerSimple("a");
      other.deleteModel("a");
      ModelVersion v = registerSimple("a");
      assertThat(v.number()).isEqualTo(3);
      assertThat(v.stage()).isEqualTo(Stage.DEVELOPMENT);
      assertThat(v.aliases()).isEmpty();
      assertThat(numbers(registry.listVersions("a"))).containsExactly(3);
      assertThat(numbers(other.listVersions("a"))).containsExactly(3);
    }

    @Test
    @DisplayName("resolve with models:/name/N, and a missing number is VersionNotFoundException")
    void resolveByNumber() {
      registerSimple("a");
      assertThat(registry.resolve("models:/a/1").number()).isEqualTo(1);
      assertThatThrownBy(() -> registry.resolve("models:/a/9")).isInstanceOf(VersionNotFoundException.class);
      assertThatThrownBy(() -> registry.resolve("models:/nope/1")).isInstanceOf(ModelNotFoundException.class);
      assertThat(registry.find(ModelUri.parse("models:/a/9"))).isEmpty();
    }

    @Test
    @DisplayName("latest is the highest number")
    void latest() {
      registerSimple("a");
      registerSimple("a");
      assertThat(registry.resolve("models:/a/latest").number()).isEqualTo(2);
      assertThat(registry.resolve("models:/a/LATEST").number()).isEqualTo(2);
    }
  }

  @Nested
  @DisplayName("Semantic versions")
  class Semver {
    @Test
    @DisplayName("must increase by default, and the error names the highest so far")
    void strictlyIncreasing() {
      registerWith("m", "1.2.0");
      assertThatThrownBy(() -> registerWith("m", "1.1.9")).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("1.2.0").hasMessageContaining("greater");
      assertThatThrownBy(() -> registerWith("m", "1.2.0")).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("already used");
      assertThatThrownBy(() -> registerWith("m", "1.2.0+build.7")).isInstanceOf(IllegalArgumentException.class);
      assertThat(registerWith("m", "1.3.0-rc.1").number()).isEqualTo(2);
      assertThat(registerWith("m", "1.3.0").number()).isEqualTo(3);
      assertThat(registry.listVersions("m")).hasSize(3);
    }

    @Test
    @DisplayName("may be back-ported under the UNIQUE policy but never repeated")
    void unique() {
      ModelRegistry r = openWith(options().semverPolicy(SemverPolicy.UNIQUE));
      r.register("m", files("a", "1").semver("2.0.0").build());
      assertThat(r.register("m", files("a", "2").semver("1.4.3").build()).number()).isEqualTo(2);
      assertThatThrownBy(() -> r.register("m", files("a", "3").semver("1.4.3").build()))
          .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    @DisplayName("resolve exactly, and ranges pick the newest match that is not archived or a pre-release")
    void ranges() {
      registerWith("m", "1.3.9");
      registerWith("m", "1.4.0");
      registerWith("m", "1.4.7");
      registerWith("m", "1.5.0");
      registerWith("m", "2.0.0-rc.1");
      assertThat(registry.resolve("models:/m/1.4.0").number()).isEqualTo(2);
      assertThat(registry.resolve("models:/m/~1.4.0").number()).isEqualTo(3);
      assertThat(registry.resolve("models:/m/^1.4").number()).isEqualTo(4);
      assertThat(registry.resolve("models:/m/^1").number()).isEqualTo(4);
      assertThat(registry.resolve("models:/m/2.0.0-rc.1").number()).isEqualTo(5);
      registry.transition("m", 4, Stage.ARCHIVED);
      assertThat(registry.resolve("models:/m/^1.4").number()).isEqualTo(3);
      assertThatThrownBy(() -> registry.resolve("models:/m/^3")).isInstanceOf(VersionNotFoundException.class);
      assertThatThrownBy(() -> registry.resolve("models:/m/1.9.9")).isInstanceOf(VersionNotFoundException.class);
    }
  }

  @Nested
  @DisplayName("Stages")
  class Stages {
    @Test
    @DisplayName("move DEVELOPMENT → STAGING → PRODUCTION and show as managed aliases")
    void happyPath() {
      registerSimple("m");
      assertThat(registry.transition("m", 1, Stage.STAGING).stage()).isEqualTo(Stage.STAGING);
      assertThat(registry.resolve("models:/m/staging").number()).isEqualTo(1);
      assertThat(registry.resolve("models:/m@staging").number()).isEqualTo(1);
      ModelVersion prod = registry.transition("m", 1, Stage.PRODUCTION);
      assertThat(prod.stage()).isEqualTo(Stage.PRODUCTION);
      assertThat(prod.aliases()).contains("production");
      assertThat(registry.resolve("models:/m/Production").number()).isEqualTo(1);
      assertThat(registry.resolve("models:/m@production").number()).isEqualTo(1);
      assertThat(registry.getModel("m").aliases()).containsEntry("production", 1).doesNotContainKey("staging");
    }

    @Test
    @DisplayName("cannot be skipped, and the refusal says what is allowed")
    void noSkipping() {
      registerSimple("m");
      assertThatThrownBy(() -> registry.transition("m", 1, Stage.PRODUCTION))
          .isInstanceOf(PromotionRejectedException.class).hasMessageContaining("STAGING");
      assertThat(registry.getVersion("m", 1).stage()).isEqualTo(Stage.DEVELOPMENT);
      registry.transition("m", 1, Stage.STAGING);
      assertThatThrownBy(() -> registry.transition("m", 1, Stage.DEVELOPMENT))
          .isInstanceOf(PromotionRejectedException.class).hasMessageContaining("ARCHIVED");
    }

    @Test
    @DisplayName("allow one PRODUCTION version; promoting another archives the previous holder")
    void oneProduction() {
      registerSimple("m");
      registerSimple("m");
      promoteToProduction("m", 1);
      promoteToProduction("m", 2);
      assertThat(registry.getVersion("m", 1).stage()).isEqualTo(Stage.ARCHIVED);
      assertThat(registry.getVersion("m", 2).stage()).isEqualTo(Stage.PRODUCTION);
      assertThat(registry.searchVersions("name = 'm' AND stage = 'production'")).extracting(ModelVersion::number)
          .containsExactly(2);
    }

    @Test
    @DisplayName("go to ARCHIVED from any stage, and back only through STAGING")
    void archive() {
      registerSimple("m");
      registry.transition("m", 1, Stage.ARCHIVED);
      assertThat(registry.resolve("models:/m/archived").number()).isEqualTo(1);
      assertThatThrownBy(() -> registry.transition("m", 1, Stage.PRODUCTION))
          .isInstanceOf(PromotionRejectedException.class);
      assertThat(registry.transition("m", 1, Stage.STAGING).stage()).isEqualTo(Stage.STAGING);
    }

    @Test
    @DisplayName("moving to the current stage changes nothing and records nothing")
    void idempotent() {
      registerSimple("m");
      registry.transition("m", 1, Stage.STAGING);
      int events = registry.history("m").size();
      assertThat(registry.transition("m", 1, Stage.STAGING).stage()).isEqualTo(Stage.STAGING);
      assertThat(registry.history("m")).hasSize(events);
    }

    @Test
    @DisplayName("a stage nobody holds resolves to VersionNotFoundException")
    void noHolder() {
      registerSimple("m");
      assertThatThrownBy(() -> registry.resolve("models:/m/production")).isInstanceOf(VersionNotFoundException.class);
    }
  }

  @Nested
  @DisplayName("Promotion gates")
  class Gates {
    @Test
    @DisplayName("refuse a promotion and list every unmet rule")
    void refuseWithAllReasons() {
      ModelRegistry r = openWith(options().promotionPolicy(Stage.PRODUCTION,
          PromotionPolicy.metricAtLeast("accuracy", 0.85)
              .and(PromotionPolicy.metricAtMost("latency_ms", 20))
              .and(PromotionPolicy.gate("an approver is required", q -> q.version().tags().containsKey("approved_by")))));
      r.register("m", files("a", "1").metric("accuracy", 0.80).build());
      r.transition("m", 1, Stage.STAGING);
      assertThatThrownBy(() -> r.transition("m", 1, Stage.PRODUCTION))
          .isInstanceOfSatisfying(PromotionRejectedException.class, e -> assertThat(e.reasons()).hasSize(3)
              .anySatisfy(s -> assertThat(s).contains("accuracy >= 0.85").contains("0.8"))
              .anySatisfy(s -> assertThat(s).contains("latency_ms"))
              .anySatisfy(s -> assertThat(s).contains("approver")));
      assertThat(r.getVersion("m", 1).stage()).isEqualTo(Stage.STAGING);
    }

    @Test
    @DisplayName("pass once recorded metrics and tags meet them")
    void passAfterMeasuring() {
      ModelRegistry r = openWith(options().promotionPolicy(Stage.PRODUCTION,
          PromotionPolicy.metricAtLeast("accuracy", 0.85)
              .and(PromotionPolicy.gate("an approver is required", q -> q.version().tags().containsKey("approved_by")))));
      r.register("m", files("a", "1").metric("accuracy", 0.80).build());
      r.transition("m", 1, Stage.STAGING);
      r.recordMetrics("m", 1, new MetricRecord("eval-2", START, Map.of("accuracy", 0.9), "fresh data"));
      r.setVersionTag("m", 1, "approved_by", "alice");
      assertThat(r.transition("m", 1, Stage.PRODUCTION).stage()).isEqualTo(Stage.PRODUCTION);
    }
  }

  @Nested
  @DisplayName("Rollback")
  class Rollback {
    @Test
    @DisplayName("returns PRODUCTION to the previous holder, archives the current one, and is audited")
    void rollback() {
      registerSimple("m");
      registerSimple("m");
      promoteToProduction("m", 1);
      promoteToProduction("m", 2);
      ModelVersion back = registry.rollback("m");
      assertThat(back.number()).isEqualTo(1);
      assertThat(back.stage()).isEqualTo(Stage.PRODUCTION);
      assertThat(registry.getVersion("m", 2).stage()).isEqualTo(Stage.ARCHIVED);
      assertThat(registry.resolve("models:/m@production").number()).isEqualTo(1);
      RegistryEvent last = registry.history("m").get(registry.history("m").size() - 1);
      assertThat(last.type()).isEqualTo(RegistryEvent.Type.ROLLBACK);
      assertThat(last.details()).containsEntry("from", "2").containsEntry("to", "1");
      assertThat(last.actor()).isEqualTo(ACTOR);
    }

    @Test
    @DisplayName("without an earlier production version is refused")
    void nothingToRollBackTo() {
      registerSimple("m");
      promoteToProduction("m", 1);
      assertThatThrownBy(() -> registry.rollback("m")).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("no earlier production version");
    }
  }

  @Nested
  @DisplayName("Aliases")
  class Aliases {
    @Test
    @DisplayName("are set, moved and deleted, and resolve with @alias")
    void lifecycle() {
      registerSimple("m");
      registerSimple("m");
      registry.setAlias("m", "champion", 1);
      assertThat(registry.resolve("models:/m@champion").number()).isEqualTo(1);
      assertThat(registry.getVersion("m", 1).aliases()).containsExactly("champion");
      registry.setAlias("m", "champion", 2);
      assertThat(registry.resolve("models:/m@champion").number()).isEqualTo(2);
      assertThat(registry.getVersion("m", 1).aliases()).isEmpty();
      registry.deleteAlias("m", "champion");
      assertThatThrownBy(() -> registry.resolve("models:/m@champion")).isInstanceOf(VersionNotFoundException.class);
      assertThatThrownBy(() -> registry.deleteAlias("m", "champion")).isInstanceOf(NotFoundException.class);
    }

    @Test
    @DisplayName("reserved names (latest, v<digits>, stages) are refused")
    void reserved() {
      registerSimple("m");
      for (String alias : List.of("latest", "v1", "V12", "production", "Staging", "archived", "none", "1abc", "a b")) {
        assertThatThrownBy(() -> registry.setAlias("m", alias, 1)).as("alias %s", alias)
            .isInstanceOf(IllegalArgumentException.class);
      }
    }

    @Test
    @DisplayName("must point at an existing version")
    void missingVersion() {
      registerSimple("m");
      assertThatThrownBy(() -> registry.setAlias("m", "champion", 7)).isInstanceOf(VersionNotFoundException.class);
      assertThatThrownBy(() -> registry.setAlias("nope", "champion", 1)).isInstanceOf(ModelNotFoundException.class);
    }

    @Test
    @DisplayName("protect their version from deletion")
    void protectsVersion() {
      registerSimple("m");
      registry.setAlias("m", "champion", 1);
      assertThatThrownBy(() -> registry.deleteVersion("m", 1)).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("champion");
    }
  }

  @Nested
  @DisplayName("Tags")
  class Tags {
    @Test
    @DisplayName("on models and versions are set, replaced and deleted")
    void lifecycle() {
      registerSimple("m");
      registry.setModelTag("m", "team", "a");
      registry.setModelTag("m", "team", "b");
      assertThat(registry.getModel("m").tags()).containsEntry("team", "b");
      registry.deleteModelTag("m", "team");
      registry.deleteModelTag("m", "team");
      assertThat(registry.getModel("m").tags()).isEmpty();
      registry.setVersionTag("m", 1, "validated", "true");
      assertThat(registry.getVersion("m", 1).tags()).containsEntry("validated", "true");
      registry.deleteVersionTag("m", 1, "validated");
      assertThat(registry.getVersion("m", 1).tags()).isEmpty();
    }

    @Test
    @DisplayName("reject reserved keys and oversized values")
    void invalid() {
      registerSimple("m");
      assertThatThrownBy(() -> registry.setModelTag("m", "modelreg.semver", "1")).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> registry.setVersionTag("m", 1, "k", "x".repeat(5001)))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("5000");
      assertThatThrownBy(() -> registry.setVersionTag("m", 1, "", "x")).isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Nested
  @DisplayName("Metrics and comparison")
  class Metrics {
    @Test
    @DisplayName("metric runs are appended and the newest value is current")
    void runs() {
      registry.register("m", files("a", "1").metric("accuracy", 0.8).build());
      registry.recordMetrics("m", 1, new MetricRecord("bench-1", START, Map.of("accuracy", 0.82, "p99_ms", 12.0), ""));
      ModelVersion v = registry.recordMetrics("m", 1, new MetricRecord("bench-2", START, Map.of("accuracy", 0.84), "n"));
      assertThat(v.metricRuns()).extracting(MetricRecord::runId).containsExactly("bench-1", "bench-2");
      assertThat(v.latestMetric("accuracy").getAsDouble()).isEqualTo(0.84);
      assertThat(v.latestMetrics()).containsEntry("p99_ms", 12.0).containsEntry("accuracy", 0.84);
      assertThat(v.metrics()).containsEntry("accuracy", 0.8);
    }

    @Test
    @DisplayName("a metric run keeps the conditions it was measured under, as a fresh read sees them")
    void conditions() {
      registry.register("m", files("a", "1").build());
      Map<String, String> conditions = Map.of("cpu", "AMD EPYC 7B13", "jdk", "17.0.13", "input.sha256", "ab12",
          "interleaved", "models:/m/1 models:/m/2");
      registry.recordMetrics("m", 1, new MetricRecord("bench-1", START, Map.of("latency.b1.p50_ms", 0.4), "bench", conditions));
      registry.recordMetrics("m", 1, new MetricRecord("eval-1", START, Map.of("accuracy", 0.9), ""));
      assertThat(registry.getVersion("m", 1).metricRuns()).extracting(MetricRecord::conditions)
          .containsExactly(conditions, Map.of());
      // and as another process reads them from the stored record, where the backend offers a second client
      Optional<RegistryStore> other = secondClient(store);
      if (other.isPresent()) {
        ModelRegistry second = ModelRegistries.create(other.get(), options().build());
        toClose.add(second);
        assertThat(second.getVersion("m", 1).metricRuns()).extracting(MetricRecord::conditions)
            .containsExactly(conditions, Map.of());
      }
    }

    @Test
    @DisplayName("compare reports deltas, parameter and signature changes, and a winner with confidence")
    void compare() {
      registry.register("m", files("a", "1").param("lr", "0.1").metric("accuracy", 0.80)
          .signature(new Signature(List.of(Signature.Field.column("x", "double")), List.of())).build());
      registry.register("m", files("a", "2").param("lr", "0.05").metric("accuracy", 0.90)
          .signature(new Signature(List.of(Signature.Field.column("x", "double"), Signature.Field.column("y", "double")),
              List.of())).build());
      double[] a = {0.81, 0.79, 0.80};
      double[] b = {0.90, 0.91, 0.89};
      for (int i = 0; i < a.length; i++) {
        registry.recordMetrics("m", 1, new MetricRecord("r" + i, START, Map.of("accuracy", a[i]), ""));
        registry.recordMetrics("m", 2, new MetricRecord("r" + i, START, Map.of("accuracy", b[i]), ""));
      }
      Comparison c = registry.compare(ModelUri.parse("models:/m/1"), ModelUri.parse("models:/m/2"));
      assertThat(java.util.Objects.requireNonNull(c.metrics().get("accuracy")).delta()).isCloseTo(0.1, within(1e-9));
      assertThat(c.paramChanges()).containsOnlyKeys("lr");
      assertThat(c.signatureDifferences()).singleElement().asString().contains("input added");
      assertThat(c.sameArtifacts()).isFalse();
      Comparison.Verdict verdict = c.winner("accuracy", true).orElseThrow();
      assertThat(verdict.winner().number()).isEqualTo(2);
      assertThat(verdict.confidence()).isGreaterThan(0.999);
      assertThat(c.winner("accuracy", false).orElseThrow().winner().number()).isEqualTo(1);
    }
  }

  @Nested
  @DisplayName("Search")
  class Search {
    @BeforeEach
    void data() {
      registry.register("churn", files("a", "1").tag("team", "growth").metric("accuracy", 0.81).semver("1.0.0")
          .lineage(Lineage.builder().runId("run-a").build()).build());
      registry.register("churn", files("a", "2").tag("team", "growth").metric("accuracy", 0.92).semver("1.1.0").build());
      registry.register("churn", files("a", "3").tag("team", "ml").metric("accuracy", 0.88).semver("2.0.0").build());
      registry.register("fraud", files("a", "4").tag("team", "ml").metric("accuracy", 0.95).build());
      registry.setAlias("churn", "champion", 2);
      promoteToProduction("churn", 3);
    }

    private List<String> search(String filter) {
      List<String> out = new ArrayList<>();
      for (ModelVersion v : registry.searchVersions(filter)) {
        out.add(v.name() + "/" + v.number());
      }
      return out;
    }

    @Test
    @DisplayName("filters by name, number, run id, tags and metrics, AND-joined")
    void mlflowGrammar() {
      assertThat(search("name = 'churn'")).containsExactly("churn/3", "churn/2", "churn/1");
      assertThat(search("name = 'churn' AND version_number > 1")).containsExactly("churn/3", "churn/2");
      assertThat(search("tags.team = 'ml'")).containsExactly("churn/3", "fraud/1");
      assertThat(search("tags.team != 'ml'")).containsExactly("churn/2", "churn/1");
      assertThat(search("metrics.accuracy >= 0.9 and tags.team = 'growth'")).containsExactly("churn/2");
      assertThat(search("run_id = 'run-a'")).containsExactly("churn/1");
      assertThat(search("name LIKE 'ch%'")).hasSize(3);
      assertThat(search("name ILIKE 'FR_UD'")).containsExactly("fraud/1");
      assertThat(search("version_number IN (1, 3)")).containsExactly("churn/3", "churn/1", "fraud/1");
      assertThat(search("tags.`team` IN ('ml')")).hasSize(2);
      assertThat(search("")).hasSize(4);
    }

    @Test
    @DisplayName("also filters by alias, stage and semver")
    void extensions() {
      assertThat(search("alias = 'champion'")).containsExactly("churn/2");
      assertThat(search("alias = 'production'")).containsExactly("churn/3");
      assertThat(search("stage = 'Production'")).containsExactly("churn/3");
      assertThat(search("stage IN ('development', 'archived')")).containsExactly("churn/2", "churn/1", "fraud/1");
      assertThat(search("semver >= '1.1.0'")).containsExactly("churn/3", "churn/2");
      assertThat(search("semver = '^1.0'")).containsExactly("churn/2", "churn/1");
    }

    @Test
    @DisplayName("orders and pages")
    void orderAndPages() {
      Page<ModelVersion> first = registry.searchVersions(SearchRequest.of("").orderBy("metrics.accuracy DESC").maxResults(3));
      assertThat(first.items()).extracting(v -> v.name() + "/" + v.number())
          .containsExactly("fraud/1", "churn/2", "churn/3");
      Page<ModelVersion> second = registry.searchVersions(
          SearchRequest.of("").orderBy("metrics.accuracy DESC").maxResults(3).pageToken(first.nextPageToken()));
      assertThat(second.items()).extracting(ModelVersion::number).containsExactly(1);
      assertThat(second.nextPageToken()).isNull();
      assertThat(registry.searchVersions(SearchRequest.of("name = 'churn'").orderBy("semver ASC")).items())
          .extracting(ModelVersion::number).containsExactly(1, 2, 3);
      assertThatThrownBy(() -> registry.searchVersions(SearchRequest.of("").pageToken("garbage")))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("page token");
    }

    @Test
    @DisplayName("finds models by name, tag and alias")
    void models() {
      registry.setModelTag("fraud", "domain", "payments");
      assertThat(registry.searchModels(SearchRequest.of("tags.domain = 'payments'")).items())
          .extracting(RegisteredModel::name).containsExactly("fraud");
      assertThat(registry.searchModels(SearchRequest.of("alias = 'champion'")).items())
          .extracting(RegisteredModel::name).containsExactly("churn");
      assertThatThrownBy(() -> registry.searchModels(SearchRequest.of("metrics.accuracy > 1")))
          .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    @DisplayName("a malformed filter is an error that shows the position")
    void malformed() {
      assertThatThrownBy(() -> registry.searchVersions("name = 'churn"))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("position 7").hasMessageContaining("unterminated");
      assertThatThrownBy(() -> registry.searchVersions("name = 'a' OR name = 'b'"))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("OR");
      assertThatThrownBy(() -> registry.searchVersions("colour = 'red'"))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown field");
      assertThatThrownBy(() -> registry.searchVersions("version_number LIKE '1%'"))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("LIKE");
      assertThatThrownBy(() -> registry.searchVersions("stage = 'live'"))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown stage");
    }
  }

  @Nested
  @DisplayName("Artifacts and integrity")
  class Integrity {
    @Test
    @DisplayName("a missing artifact path is NotFoundException naming the files that exist")
    void missingPath() {
      ModelVersion v = registerSimple("m");
      assertThatThrownBy(() -> registry.openArtifact(v, "nope.bin")).isInstanceOf(NotFoundException.class)
          .hasMessageContaining("model.bin");
    }

    @Test
    @DisplayName("damaged bytes are IntegrityException on read and on download, which leaves nothing behind")
    void corruption(@TempDir Path dir) {
      ModelVersion v = registry.register("m", files("model.bin", "the real weights", "ok.txt", "fine").build());
      ArtifactEntry entry = v.manifest().find("model.bin").orElseThrow();
      assumeTrue(corruptArtifact(store, v, entry), "the backend cannot damage stored bytes for a test");
      assertThatThrownBy(() -> read(registry, v, "model.bin")).isInstanceOf(IntegrityException.class)
          .hasMessageContaining("model.bin");
      assertThat(read(registry, v, "ok.txt")).isEqualTo("fine");
      assertThatThrownBy(() -> registry.download(v, dir.resolve("out"))).isInstanceOf(IntegrityException.class);
      assertThat(dir.resolve("out/model.bin")).doesNotExist();
    }

    @Test
    @DisplayName("a version whose manifest was altered is IntegrityException")
    void alteredManifest() {
      ModelVersion v = registerSimple("m");
      ArtifactEntry real = v.manifest().files().get(0);
      io.modelreg.ArtifactManifest forged = new io.modelreg.ArtifactManifest(
          List.of(new ArtifactEntry(real.path(), real.size() + 1, real.digest())), v.digest());
      ModelVersion tampered = v.toBuilder().manifest(forged).build();
      assertThat(tampered.number()).isEqualTo(v.number());
      assertThat(tampered.manifest().isConsistent()).isFalse();
      assertThatThrownBy(() -> registry.openArtifact(tampered, real.path())).isInstanceOf(IntegrityException.class);
    }
  }

  @Nested
  @DisplayName("Verification and garbage collection")
  class Maintenance {
    @Test
    @DisplayName("verify re-hashes every artifact once and finds a healthy registry clean")
    void clean() {
      registry.register("a", files("x", "1", "y", "2").build());
      registry.register("a", files("x", "1").build());
      registry.register("b", files("z", "3").build());
      io.modelreg.VerificationReport report = registry.verify();
      assertThat(report.problems()).isEmpty();
      assertThat(report.isClean()).isTrue();
      assertThat(report.models()).isEqualTo(2);
      assertThat(report.versions()).isEqualTo(3);
      assertThat(report.artifacts()).isEqualTo(3);
    }

    @Test
    @DisplayName("verify names the version and file whose bytes are damaged")
    void damaged() {
      ModelVersion v = registry.register("a", files("weights.bin", "good bytes").build());
      assumeTrue(corruptArtifact(store, v, v.manifest().files().get(0)), "the backend cannot damage stored bytes");
      io.modelreg.VerificationReport report = registry.verify();
      assertThat(report.isClean()).isFalse();
      assertThat(String.join("\n", report.problems())).contains("models:/a/1").contains("weights.bin");
    }

    @Test
    @DisplayName("gc frees bytes only deleted versions used, and every remaining version still reads")
    void gc() {
      assumeTrue(collectsGarbage(), "the backend does not collect garbage");
      registry.register("a", files("shared", "same", "own", "only in v1").build());
      registry.register("a", files("shared", "same").build());
      assertThat(registry.gc().deleted()).isZero();
      registry.deleteVersion("a", 1);
      io.modelreg.GcReport report = registry.gc();
      assertThat(report.deleted()).isEqualTo(1);
      assertThat(report.bytesFreed()).isEqualTo("only in v1".length());
      assertThat(read(registry, registry.getVersion("a", 2), "shared")).isEqualTo("same");
      assertThat(registry.verify().isClean()).isTrue();
    }
  }

  @Nested
  @DisplayName("History")
  class History {
    @Test
    @DisplayName("records every change with actor, time, and before → after, in order")
    void everything() {
      registry.createModel("m");
      clock.advance(Duration.ofSeconds(10));
      registerSimple("m");
      registry.setAlias("m", "champion", 1);
      registry.setModelTag("m", "team", "a");
      registry.setVersionTag("m", 1, "k", "v");
      registry.transition("m", 1, Stage.STAGING);
      registry.recordMetrics("m", 1, new MetricRecord("run", START, Map.of("x", 1.0), ""));
      registry.deleteAlias("m", "champion");
      List<RegistryEvent> h = registry.history("m");
      assertThat(types(h)).containsExactly(RegistryEvent.Type.MODEL_CREATED, RegistryEvent.Type.VERSION_REGISTERED,
          RegistryEvent.Type.ALIAS_SET, RegistryEvent.Type.MODEL_TAG_SET, RegistryEvent.Type.VERSION_TAG_SET,
          RegistryEvent.Type.STAGE_CHANGED, RegistryEvent.Type.METRICS_RECORDED, RegistryEvent.Type.ALIAS_DELETED);
      assertThat(h).extracting(RegistryEvent::sequence).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L);
      assertThat(h).allSatisfy(e -> assertThat(e.actor()).isEqualTo(ACTOR));
      assertThat(h.get(0).time()).isEqualTo(START);
      assertThat(h.get(1).time()).isEqualTo(START.plusSeconds(10));
      assertThat(h.get(1).details()).containsKey("digest");
      assertThat(h.get(5).details()).containsEntry("from", "DEVELOPMENT").containsEntry("to", "STAGING");
      assertThat(h.get(5).version()).isEqualTo(1);
    }

    @Test
    @DisplayName("a promotion that archives the previous holder records both moves")
    void promotionEvents() {
      registerSimple("m");
      registerSimple("m");
      promoteToProduction("m", 1);
      promoteToProduction("m", 2);
      List<RegistryEvent> h = registry.history("m");
      RegistryEvent archived = h.get(h.size() - 2);
      assertThat(archived.version()).isEqualTo(1);
      assertThat(archived.details()).containsEntry("to", "ARCHIVED");
      assertThat(h.get(h.size() - 1).details()).containsEntry("to", "PRODUCTION");
    }

    @Test
    @DisplayName("stays readable after the model is deleted; an unknown model is ModelNotFoundException")
    void afterDelete() {
      registerSimple("m");
      registry.deleteModel("m");
      assertThat(types(registry.history("m"))).endsWith(RegistryEvent.Type.MODEL_DELETED);
      assertThatThrownBy(() -> registry.history("never")).isInstanceOf(ModelNotFoundException.class);
    }
  }

  @Nested
  @DisplayName("Watch")
  class Watch {
    private RegistryEvent next(BlockingQueue<RegistryEvent> queue) throws InterruptedException {
      RegistryEvent e = queue.poll(WAIT_SECONDS, TimeUnit.SECONDS);
      assertThat(e).as("an event within %s s", WAIT_SECONDS).isNotNull();
      return e;
    }

    @Test
    @DisplayName("delivers this registry's changes of a model, in order, and stops when closed")
    void local() throws InterruptedException {
      registry.createModel("m");
      BlockingQueue<RegistryEvent> queue = new LinkedBlockingQueue<>();
      Subscription sub = registry.watch("m", queue::add);
      registerSimple("m");
      registry.setAlias("m", "champion", 1);
      registerSimple("other");
      assertThat(next(queue).type()).isEqualTo(RegistryEvent.Type.VERSION_REGISTERED);
      RegistryEvent alias = next(queue);
      assertThat(alias.type()).isEqualTo(RegistryEvent.Type.ALIAS_SET);
      assertThat(alias.details()).containsEntry("alias", "champion");
      sub.close();
      registry.setAlias("m", "champion2", 1);
      CountDownLatch drained = new CountDownLatch(1);
      Subscription probe = registry.watch("m", e -> drained.countDown());
      registry.setAlias("m", "champion3", 1);
      assertThat(drained.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
      probe.close();
      assertThat(queue).isEmpty();
    }

    @Test
    @DisplayName("watchAll sees every model, including ones created after subscribing")
    void all() throws InterruptedException {
      BlockingQueue<RegistryEvent> queue = new LinkedBlockingQueue<>();
      registry.watchAll(queue::add);
      registry.createModel("x");
      RegistryEvent e = next(queue);
      assertThat(e.model()).isEqualTo("x");
      assertThat(e.type()).isEqualTo(RegistryEvent.Type.MODEL_CREATED);
    }

    @Test
    @DisplayName("delivers changes made by another client of the same registry")
    void remote() throws InterruptedException {
      ModelRegistry other = secondRegistry();
      registry.createModel("m");
      BlockingQueue<RegistryEvent> queue = new LinkedBlockingQueue<>();
      registry.watch("m", queue::add);
      other.register("m", files("a", "1").build());
      other.setAlias("m", "champion", 1);
      assertThat(next(queue).type()).isEqualTo(RegistryEvent.Type.VERSION_REGISTERED);
      assertThat(next(queue).type()).isEqualTo(RegistryEvent.Type.ALIAS_SET);
    }

    @Test
    @DisplayName("a failing listener does not stop delivery")
    void failingListener() throws InterruptedException {
      registry.createModel("m");
      BlockingQueue<RegistryEvent> queue = new LinkedBlockingQueue<>();
      Consumer<RegistryEvent> flaky = e -> {
        queue.add(e);
        throw new IllegalStateException("listener bug");
      };
      registry.watch("m", flaky);
      registerSimple("m");
      registerSimple("m");
      assertThat(next(queue).version()).isEqualTo(1);
      assertThat(next(queue).version()).isEqualTo(2);
    }
  }

  @Nested
  @DisplayName("Errors and bad input")
  class Errors {
    @Test
    @DisplayName("missing things are NotFoundException subtypes")
    void notFound() {
      assertThatThrownBy(() -> registry.getModel("x")).isInstanceOf(ModelNotFoundException.class);
      assertThatThrownBy(() -> registry.listVersions("x")).isInstanceOf(ModelNotFoundException.class);
      registerSimple("x");
      assertThatThrownBy(() -> registry.getVersion("x", 2)).isInstanceOf(VersionNotFoundException.class);
      assertThatThrownBy(() -> registry.transition("x", 2, Stage.STAGING)).isInstanceOf(VersionNotFoundException.class);
      assertThatThrownBy(() -> registry.setVersionTag("x", 2, "a", "b")).isInstanceOf(VersionNotFoundException.class);
      assertThatThrownBy(() -> registry.resolve("models:/x@nobody")).isInstanceOf(VersionNotFoundException.class)
          .hasMessageContaining("nobody");
      assertThat(registry.findVersion("x", 2)).isEmpty();
    }

    @Test
    @DisplayName("malformed URIs and numbers are IllegalArgumentException saying what is allowed")
    void badArguments() {
      assertThatThrownBy(() -> registry.resolve("model:/x/1")).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("models:/");
      assertThatThrownBy(() -> registry.resolve("models:/x/1.2")).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("semantic version");
      assertThatThrownBy(() -> registry.getVersion("x", 0)).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> registry.resolve("models:/../etc/1")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    @DisplayName("adopting a version modelreg registered is refused and changes nothing")
    void adoptingOwnVersionIsRefused() {
      ModelVersion v = registerSimple("x");
      assertThatThrownBy(() -> registry.adopt("x", v.number())).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("modelreg");
      assertThatThrownBy(() -> registry.adopt("x", 9)).isInstanceOf(VersionNotFoundException.class);
      assertThatThrownBy(() -> registry.adopt("nobody", 1)).isInstanceOf(ModelNotFoundException.class);
      assertThat(registry.getVersion("x", v.number()).digest()).isEqualTo(v.digest());
      assertThat(registry.history("x")).isNotEmpty().noneMatch(e -> e.details().containsKey("adopted_from"));
    }

    @Test
    @DisplayName("a closed registry refuses writes")
    void closed() {
      ModelRegistry r = openWith(options());
      r.close();
      assertThatThrownBy(() -> r.createModel("m")).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("closed");
    }
  }

  @Nested
  @DisplayName("Store contract (the SPI driven directly)")
  class StoreSpi extends StoreContract {
    @Override
    RegistryStore store() {
      return store;
    }

    @Override
    Optional<RegistryStore> secondClient() {
      Optional<RegistryStore> other = RegistryCompatibilityKit.this.secondClient(store);
      other.ifPresent(toClose::add);
      return other;
    }

    @Override
    boolean numbersSurviveModelDeletion() {
      return RegistryCompatibilityKit.this.numbersSurviveModelDeletion();
    }

    @Override
    boolean oneStoreManyWriters() {
      return RegistryCompatibilityKit.this.oneStoreManyWriters();
    }

    @Override
    int concurrency() {
      return RegistryCompatibilityKit.this.concurrency();
    }

    @Override
    RegistryOptions.Builder options() {
      return RegistryCompatibilityKit.this.options();
    }
  }

  @Nested
  @DisplayName("Concurrency")
  class Concurrency {
    private <T> List<T> runAll(int threads, java.util.function.IntFunction<T> task) throws Exception {
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      try {
        CountDownLatch start = new CountDownLatch(1);
        List<Future<T>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          int id = t;
          futures.add(pool.submit(() -> {
            start.await();
            return task.apply(id);
          }));
        }
        start.countDown();
        List<T> out = new ArrayList<>();
        for (Future<T> f : futures) {
          out.add(f.get(120, TimeUnit.SECONDS));
        }
        return out;
      } finally {
        pool.shutdownNow();
      }
    }

    @Test
    @DisplayName("many threads registering on one model get unique, consecutive numbers")
    void registrations() throws Exception {
      int threads = concurrency();
      int each = 10;
      List<List<Integer>> results = runAll(threads, id -> {
        List<Integer> numbers = new ArrayList<>();
        for (int i = 0; i < each; i++) {
          numbers.add(registry.register("m", files("model.bin", "thread " + id + " item " + i).build()).number());
        }
        return numbers;
      });
      Set<Integer> all = ConcurrentHashMap.newKeySet();
      results.forEach(all::addAll);
      assertThat(all).hasSize(threads * each);
      assertThat(all).allSatisfy(n -> assertThat(n).isBetween(1, threads * each));
      assertThat(numbers(registry.listVersions("m"))).hasSize(threads * each);
      for (ModelVersion v : registry.listVersions("m")) {
        assertThat(read(registry, v, "model.bin")).startsWith("thread ");
      }
      long registered = registry.history("m").stream()
          .filter(e -> e.type() == RegistryEvent.Type.VERSION_REGISTERED).count();
      assertThat(registered).isEqualTo(threads * each);
    }

    @Test
    @DisplayName("concurrent alias and tag updates are never lost")
    void noLostUpdates() throws Exception {
      registerSimple("m");
      int threads = concurrency();
      runAll(threads, id -> {
        for (int i = 0; i < 5; i++) {
          registry.setAlias("m", "a" + id + "x" + i, 1);
          registry.setModelTag("m", "t" + id + "x" + i, "v");
          registry.setVersionTag("m", 1, "t" + id + "x" + i, "v");
        }
        return null;
      });
      assertThat(registry.getModel("m").userAliases()).hasSize(threads * 5);
      assertThat(registry.getModel("m").tags()).hasSize(threads * 5);
      assertThat(registry.getVersion("m", 1).tags()).hasSize(threads * 5);
    }

    @Test
    @DisplayName("two clients registering at once still get unique numbers")
    void twoClients() throws Exception {
      ModelRegistry other = secondRegistry();
      List<List<Integer>> results = runAll(2, id -> {
        ModelRegistry r = id == 0 ? registry : other;
        List<Integer> numbers = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
          numbers.add(r.register("m", files("a", id + "-" + i).build()).number());
        }
        return numbers;
      });
      Set<Integer> all = ConcurrentHashMap.newKeySet();
      results.forEach(all::addAll);
      assertThat(all).hasSize(20);
    }
  }

  @Nested
  @DisplayName("Caching")
  class Caching {
    @Test
    @DisplayName("this registry's own writes are seen at once")
    void ownWrites() {
      registerSimple("m");
      assertThat(registry.resolve("models:/m/latest").number()).isEqualTo(1);
      registerSimple("m");
      assertThat(registry.resolve("models:/m/latest").number()).isEqualTo(2);
      registry.setAlias("m", "champion", 1);
      assertThat(registry.resolve("models:/m@champion").number()).isEqualTo(1);
      registry.setAlias("m", "champion", 2);
      assertThat(registry.resolve("models:/m@champion").number()).isEqualTo(2);
    }

    @Test
    @DisplayName("another client's writes are seen once the cache TTL has passed")
    void otherClients() {
      ModelRegistry other = secondRegistry();
      registerSimple("m");
      registerSimple("m");
      registry.setAlias("m", "champion", 1);
      assertThat(other.resolve("models:/m@champion").number()).isEqualTo(1);
      registry.setAlias("m", "champion", 2);
      clock.advance(CACHE_TTL.plusMillis(1));
      assertThat(other.resolve("models:/m@champion").number()).isEqualTo(2);
      @Nullable ModelVersion v3 = registry.register("m", files("a", "3").build());
      clock.advance(CACHE_TTL.plusMillis(1));
      assertThat(other.resolve("models:/m/latest").number()).isEqualTo(v3.number());
    }
  }
}
