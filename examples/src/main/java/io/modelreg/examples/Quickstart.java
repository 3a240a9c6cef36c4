package io.modelreg.examples;

import io.modelreg.Comparison;
import io.modelreg.Lineage;
import io.modelreg.MetricRecord;
import io.modelreg.ModelRegistries;
import io.modelreg.ModelRegistry;
import io.modelreg.ModelUri;
import io.modelreg.ModelVersion;
import io.modelreg.PromotionPolicy;
import io.modelreg.PromotionRejectedException;
import io.modelreg.Registration;
import io.modelreg.RegistryOptions;
import io.modelreg.Stage;
import io.modelreg.VerificationReport;
import io.modelreg.inference.ModelPredictor;
import io.modelreg.inference.pool.MemoryBudget;
import io.modelreg.inference.pool.ModelPool;
import io.modelreg.inference.pool.PoolPrediction;
import io.modelreg.inference.pool.PoolSnapshot;
import io.modelreg.prompts.PromptRegistry;
import io.modelreg.prompts.PromptVersion;
import io.modelreg.inference.PredictorOptions;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The whole story on the embedded {@code file:} registry: train v1, register it, promote it to staging,
 * meet a production gate, train v2, compare the two, promote v2, serve predictions through the model pool
 * by alias, roll back, and register, validate and render a prompt with a checked semver bump.
 *
 * <p>Run: {@code ./mvnw -B -q -DskipTests -pl examples -am install exec:java} (optionally {@code
 * -Dexec.args=DIR}).
 */
public final class Quickstart {
  private static final List<String> V1_COLUMNS = List.of("tenure", "plan");
  private static final List<String> V2_COLUMNS = List.of("age", "income", "tenure", "tickets", "plan");

  /** Held here: java.util.logging keeps loggers weakly, and a collected logger forgets the level set on it. */
  private static final java.util.logging.Logger TRIBUO_LOG = java.util.logging.Logger.getLogger("org.tribuo");

  private Quickstart() {}

  /** What happened, for tests. */
  public record Summary(Path registry, double accuracyV1, double accuracyV2, int winner, int productionAfterRollback,
      boolean verified) {}

  public static void main(String[] args) throws Exception {
    // Keep the story readable: Tribuo reports training progress on java.util.logging, DJL notes that CUDA is absent.
    TRIBUO_LOG.setLevel(java.util.logging.Level.WARNING);
    if (System.getProperty("org.slf4j.simpleLogger.log.ai.djl") == null) {
      System.setProperty("org.slf4j.simpleLogger.log.ai.djl", "error");
    }
    Clock clock = Clock.systemDefaultZone(); // the one place the quickstart reads the system's time
    Path dir = args.length > 0 ? Path.of(args[0])
        : Path.of("target", "quickstart", LocalDateTime.now(clock).format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT)));
    Summary summary = run(dir, System.out, clock);
    if (!summary.verified()) {
      System.exit(6); // what modelreg's exit code 6 means: the registry it wrote did not verify clean
    }
  }

  public static Summary run(Path dir, PrintStream out) throws Exception {
    return run(dir, out, Clock.systemDefaultZone());
  }

  /** The quickstart with wall-clock time (history, metric runs, the time it took) from {@code clock}. */
  public static Summary run(Path dir, PrintStream out, Clock clock) throws Exception {
    Instant start = clock.instant();
    Files.createDirectories(dir);
    Path registryDir = dir.resolve("registry");
    out.println("modelreg quickstart — registry at " + registryDir.toUri());

    RegistryOptions options = RegistryOptions.builder()
        .actor("quickstart")
        .clock(clock)
        .promotionPolicy(Stage.PRODUCTION, PromotionPolicy.metricAtLeast("accuracy", 0.70)
            .and(PromotionPolicy.gate("a reviewer must approve (tag approved_by)",
                r -> r.version().tags().containsKey("approved_by"))))
        .build();
    try (ModelRegistry registry = ModelRegistries.open(registryDir.toUri(), options)) {
      List<Map<String, Object>> data = ChurnDataset.generate(4000, 42);
      List<Map<String, Object>> train = data.subList(0, 3000);
      List<Map<String, Object>> test = data.subList(3000, data.size());

      step(out, 1, "Train v1 on " + V1_COLUMNS + " (Tribuo logistic regression, " + train.size() + " rows)");
      ChurnTrainer.Result r1 = ChurnTrainer.train(train, test, V1_COLUMNS);
      ModelVersion v1 = register(registry, r1, "1.0.0", "quickstart-v1", clock);
      out.printf("   registered %s  semver %s  accuracy %.3f  digest %s%n", v1.uri(), v1.semver().orElseThrow(),
          r1.accuracy(), v1.digest().toString().substring(0, 19) + "…");

      step(out, 2, "Promote v1 to STAGING");
      registry.transition("churn", v1.number(), Stage.STAGING);
      out.println("   " + registry.getVersion("churn", v1.number()).stage());

      step(out, 3, "Try PRODUCTION behind the gate: accuracy >= 0.70 and a reviewer's approval");
      try {
        registry.transition("churn", v1.number(), Stage.PRODUCTION);
      } catch (PromotionRejectedException e) {
        out.println("   refused: " + String.join("; ", e.reasons()));
      }
      registry.setVersionTag("churn", v1.number(), "approved_by", "alice");
      registry.transition("churn", v1.number(), Stage.PRODUCTION);
      out.println("   approved by alice -> " + registry.resolve("models:/churn@production").uri() + " is in PRODUCTION");

      step(out, 4, "Train v2 on " + V2_COLUMNS);
      ChurnTrainer.Result r2 = ChurnTrainer.train(train, test, V2_COLUMNS);
      ModelVersion v2 = register(registry, r2, "1.1.0", "quickstart-v2", clock);
      out.printf("   registered %s  semver %s  accuracy %.3f%n", v2.uri(), v2.semver().orElseThrow(), r2.accuracy());

      step(out, 5, "Compare v1 and v2 (accuracy on three held-out folds each)");
      Comparison c = registry.compare(v1.uri(), v2.uri());
      Comparison.MetricDelta acc = java.util.Objects.requireNonNull(c.metrics().get("accuracy"));
      out.printf("   accuracy %.3f -> %.3f (%+.3f)%n", acc.meanA(), acc.meanB(), acc.delta());
      out.println("   parameters changed: " + c.paramChanges().keySet() + "; signature: " + c.signatureDifferences());
      Comparison.Verdict verdict = c.winner("accuracy", true).orElseThrow();
      out.printf("   winner: v%d, confidence %s%n", verdict.winner().number(),
          verdict.confidence() == null ? "unknown" : String.format(Locale.ROOT, "%.1f%%", 100 * verdict.confidence()));

      step(out, 6, "Promote v2: STAGING, approval, PRODUCTION (v1 is archived), alias champion");
      registry.transition("churn", v2.number(), Stage.STAGING);
      registry.setVersionTag("churn", v2.number(), "approved_by", "bob");
      registry.transition("churn", v2.number(), Stage.PRODUCTION);
      registry.setAlias("churn", "champion", v2.number());
      out.println("   v1 is now " + registry.getVersion("churn", v1.number()).stage() + ", v2 "
          + registry.getVersion("churn", v2.number()).stage());

      step(out, 7, "Serve predictions through the model pool by alias (models:/churn@champion)");
      PredictorOptions predictorOptions = PredictorOptions.defaults().cacheDirectory(dir.resolve("cache"));
      List<Map<String, Object>> customers = ChurnDataset.features(test.subList(0, 3), V2_COLUMNS);
      try (ModelPool<ModelPredictor> pool = ModelPool.builder(registry).budget(MemoryBudget.bytes(256L << 20))
          .predictorOptions(predictorOptions).build()) {
        for (Map<String, Object> customer : customers) {
          PoolPrediction p = pool.predict("models:/churn@champion", customer);
          out.printf("   %s -> churn probability %.2f (served by %s)%n", customer, p.output()[labelIndex(r2)], p.version().uri());
        }
        PoolSnapshot snap = pool.snapshot();
        out.printf("   pool: %d model loaded, %d requests, p50 %.0f µs%n", snap.loadedModels(),
            snap.versions().values().stream().mapToLong(PoolSnapshot.Stats::requests).sum(),
            snap.versions().values().iterator().next().p50Micros());
      }

      step(out, 8, "Roll back production");
      ModelVersion back = registry.rollback("churn");
      out.println("   production is " + back.uri() + " again; v2 is " + registry.getVersion("churn", v2.number()).stage());
      try (ModelPredictor predictor = ModelPredictor.load(registry, ModelUri.parse("models:/churn@production"), predictorOptions)) {
        out.println("   serving " + predictor.version().orElseThrow().uri() + ": " + predictor.predictLabel(
            ChurnDataset.features(test.subList(0, 1), V1_COLUMNS).get(0)));
      }

      step(out, 9, "Register, validate and render a prompt with a checked semver bump");
      PromptRegistry prompts = PromptRegistry.on(registry);
      prompts.register("churn-retention", "Hi {name}, we noticed {plan} customers like you get {offer}.", "1.0.0",
          "first retention message");
      try {
        prompts.register("churn-retention", "Hi {name}, {plan} customers like you get {offer} until {deadline}.", "1.0.1",
            "adds a deadline");
      } catch (IllegalArgumentException e) {
        out.println("   refused 1.0.1: a new variable needs a MINOR bump");
      }
      PromptVersion pv = prompts.register("churn-retention",
          "Hi {name}, {plan} customers like you get {offer} until {deadline:%d %B}.", "1.1.0", "adds a deadline");
      out.println("   " + pv.uri() + " " + pv.semver() + ": " + pv.render(Map.of("name", "Ada", "plan", "pro",
          "offer", "20% off", "deadline", java.time.LocalDate.of(2026, 12, 24))));

      step(out, 10, "Audit");
      List<io.modelreg.RegistryEvent> history = registry.history("churn");
      out.println("   " + history.size() + " events in the history of churn; the last three:");
      history.subList(history.size() - 3, history.size())
          .forEach(e -> out.println("     #" + e.sequence() + " " + e.type() + " v" + e.version() + " " + e.details()
              + " by " + e.actor()));
      VerificationReport report = registry.verify();
      out.println("   verify: " + report.versions() + " versions, " + report.artifacts() + " files re-hashed, "
          + (report.isClean() ? "all intact" : report.problems()));
      out.printf("Done in %.1f s. Look around: %s%n", Duration.between(start, clock.instant()).toMillis() / 1e3, registryDir);
      return new Summary(registryDir, r1.accuracy(), r2.accuracy(), verdict.winner().number(), back.number(),
          report.isClean());
    }
  }

  private static int labelIndex(ChurnTrainer.Result result) {
    int i = result.bundle().labels().indexOf("yes");
    return Math.max(i, 0);
  }

  private static ModelVersion register(ModelRegistry registry, ChurnTrainer.Result result, String semver, String runId,
      Clock clock) {
    ModelVersion v = result.bundle().register(registry, "churn", Registration.builder()
        .semver(semver)
        .description("Churn classifier trained by the quickstart")
        .metric("accuracy", result.accuracy())
        .params(result.params())
        .lineage(Lineage.builder().runId(runId).dataset("synthetic-churn?seed=42&rows=4000")
            .dependency("tribuo", "4.3.2").build()));
    List<Double> folds = result.foldAccuracy();
    for (int i = 0; i < folds.size(); i++) {
      registry.recordMetrics("churn", v.number(),
          new MetricRecord("eval-fold-" + (i + 1), clock.instant(), Map.of("accuracy", folds.get(i)), "held-out fold"));
    }
    return registry.getVersion("churn", v.number());
  }

  private static void step(PrintStream out, int n, String what) {
    out.println();
    out.println(n + ". " + what);
  }
}
