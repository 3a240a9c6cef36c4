package io.modelreg.examples;

import io.modelreg.ModelRegistries;
import io.modelreg.ModelRegistry;
import io.modelreg.ModelVersion;
import io.modelreg.Registration;
import io.modelreg.inference.ModelPredictor;
import io.modelreg.inference.PredictorOptions;
import io.modelreg.inference.pool.MemoryBudget;
import io.modelreg.inference.pool.ModelPool;
import io.modelreg.inference.pool.PoolSnapshot;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One model pool, one memory budget, two kinds of model: the churn classifier (an ONNX bundle run by a
 * {@link ModelPredictor}) and a retention-offer table (a CSV of plan → discount, read into a map). The pool's
 * {@link ModelPool.Loader} looks at each version's files and makes the matching kind; both implement
 * {@link Served}, so routing, leases, eviction and metrics treat them alike.
 *
 * <p>Run: {@code ./mvnw -B -q -DskipTests -pl examples -am install exec:java
 * -Dexec.mainClass=io.modelreg.examples.TwoKindsOfModel}
 */
public final class TwoKindsOfModel {
  private TwoKindsOfModel() {}

  /** What the pool holds: either kind of model. */
  public sealed interface Served extends AutoCloseable permits Classifier, OfferTable {
    @Override
    void close();
  }

  /** The ONNX classifier. */
  public record Classifier(ModelPredictor predictor) implements Served {
    @Override
    public void close() {
      predictor.close();
    }
  }

  /** The second kind: a table of discounts by plan, loaded from {@code offers.csv}. */
  public record OfferTable(Map<String, Double> discountByPlan) implements Served {
    static OfferTable read(InputStream csv) throws IOException {
      Map<String, Double> m = new LinkedHashMap<>();
      for (String line : new String(csv.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        String[] parts = line.split(",");
        if (parts.length == 2 && !parts[0].equals("plan")) {
          m.put(parts[0].trim(), Double.parseDouble(parts[1].trim()));
        }
      }
      return new OfferTable(Map.copyOf(m));
    }

    @Override
    public void close() {
      // plain heap memory: nothing to release
    }
  }

  /** Loads either kind, by what the version holds. */
  static ModelPool.Loader<Served> loader(PredictorOptions options) {
    return new ModelPool.Loader<>() {
      @Override
      public Served load(ModelRegistry registry, ModelVersion version) {
        boolean table = version.manifest().files().stream().anyMatch(f -> f.path().equals("offers.csv"));
        if (!table) {
          return new Classifier(ModelPredictor.load(registry, version.uri(), options));
        }
        try (InputStream in = registry.openArtifact(version, "offers.csv")) {
          return OfferTable.read(in);
        } catch (IOException e) {
          throw new java.io.UncheckedIOException("Cannot read offers.csv of " + version.uri(), e);
        }
      }

      @Override
      public void warmUp(Served model) {
        if (model instanceof Classifier c) {
          c.predictor().warmUp();
        }
      }
    };
  }

  public static void main(String[] args) throws Exception {
    run(Path.of(args.length > 0 ? args[0] : "target/two-kinds"), System.out);
  }

  /** What the run served, for the test. */
  public record Summary(double churnProbability, double discount, int loadedModels, long requests) {}

  public static Summary run(Path dir, PrintStream out) throws Exception {
    Files.createDirectories(dir);
    try (ModelRegistry registry = ModelRegistries.open(dir.resolve("registry").toUri())) {
      List<Map<String, Object>> data = ChurnDataset.generate(2000, 7);
      List<String> columns = List.of("tenure", "plan");
      ChurnTrainer.Result trained = ChurnTrainer.train(data.subList(0, 1500), data.subList(1500, 2000), columns);
      trained.bundle().register(registry, "churn", Registration.builder().semver("1.0.0"));
      registry.register("offers", Registration.builder()
          .bytes("offers.csv", "plan,discount\nbasic,0.20\npro,0.10\nenterprise,0.05\n".getBytes(StandardCharsets.UTF_8))
          .semver("1.0.0").build());

      PredictorOptions options = PredictorOptions.defaults().cacheDirectory(dir.resolve("cache"));
      try (ModelPool<Served> pool = ModelPool.builder(registry, loader(options))
          .budget(MemoryBudget.bytes(256L << 20)).build()) {
        Map<String, Object> customer = ChurnDataset.features(data.subList(1500, 1501), columns).get(0);
        double churn = pool.call("models:/churn/1",
            lease -> (double) ((Classifier) lease.model()).predictor().predictProba(customer).getOrDefault("yes", 0f));
        String plan = String.valueOf(customer.get("plan"));
        double discount = pool.call("models:/offers/1",
            lease -> ((OfferTable) lease.model()).discountByPlan().getOrDefault(plan, 0.0));
        out.printf(Locale.ROOT, "customer %s: churn probability %.2f; offer a %.0f%% discount on %s%n", customer, churn,
            100 * discount, plan);
        PoolSnapshot s = pool.snapshot();
        long requests = s.arms().values().stream().mapToLong(PoolSnapshot.Stats::requests).sum();
        out.printf(Locale.ROOT, "pool: %d models of two kinds loaded, %d of %d bytes accounted, %d requests%n",
            s.loadedModels(), s.bytesInUse(), s.budgetBytes(), requests);
        return new Summary(churn, discount, s.loadedModels(), requests);
      }
    }
  }
}
