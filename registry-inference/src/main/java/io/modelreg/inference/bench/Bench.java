package io.modelreg.inference.bench;

import io.modelreg.Ticker;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * Times single-row and batched predictions of one or more model versions on the same rows, and scores them
 * against the rows' labels.
 *
 * <p>The run is a sequence of <em>rounds</em>. In each round every version makes one call at every batch size,
 * the versions taking turns in an order that rotates from round to round; so the versions are
 * <em>interleaved</em>, and whatever the machine does meanwhile (another process, a GC, frequency scaling) hits
 * them alike rather than whichever ran last. The first {@code warmupRounds} rounds are not recorded (ONNX
 * Runtime allocates and the JIT compiles during them). Each call is timed alone with the injected
 * {@link Ticker}, so tests feed synthetic timings and never depend on the wall clock. Single-row calls cycle
 * through the rows; a batch of size {@code b} is {@code b} consecutive rows, wrapping around.
 *
 * <p>Quality (when the input has labels) is computed once per version over all rows, outside the timing.
 *
 * <pre>{@code
 * try (ModelPredictor v6 = ModelPredictor.load(registry, "models:/churn/6");
 *      ModelPredictor v7 = ModelPredictor.load(registry, "models:/churn/7")) {
 *   BenchResult result = Bench.builder(BenchInput.read(Path.of("rows.csv"), "churned"))
 *       .target(BenchTarget.of("models:/churn/6", v6))
 *       .target(BenchTarget.of("models:/churn/7", v7))
 *       .build().run();
 *   result.record(registry, "bench-" + Instant.now(), Instant.now());
 * }
 * }</pre>
 */
public final class Bench {
  /** Default batch sizes: one row, and a batch of 32 (smaller when the input has fewer rows). */
  public static final List<Integer> DEFAULT_BATCH_SIZES = List.of(1, 32);
  /** Default warm-up rounds. */
  public static final int DEFAULT_WARMUP_ROUNDS = 200;
  /** Default measured rounds: 1000 calls per version and batch size. */
  public static final int DEFAULT_ROUNDS = 1000;

  private final BenchInput input;
  private final List<BenchTarget> targets;
  private final List<Integer> batchSizes;
  private final int warmupRounds;
  private final int rounds;
  private final Ticker ticker;
  private final BenchListener listener;
  private final Map<String, String> conditions;
  /** Outputs land here so no call can be optimised away. */
  @SuppressWarnings("unused")
  private volatile @Nullable Object sink;

  private Bench(Builder b) {
    this.input = b.input;
    this.targets = List.copyOf(b.targets);
    int rowCount = input.rows().size();
    TreeSet<Integer> sizes = new TreeSet<>();
    for (int size : b.batchSizes != null ? b.batchSizes : DEFAULT_BATCH_SIZES) {
      // a default batch larger than the input shrinks to the input; a batch size the user gave is kept (rows wrap)
      sizes.add(b.batchSizes == null ? Math.min(size, rowCount) : size);
    }
    this.batchSizes = List.copyOf(sizes);
    this.warmupRounds = b.warmupRounds;
    this.rounds = b.rounds;
    this.ticker = b.ticker;
    this.listener = b.listener;
    this.conditions = Collections.unmodifiableMap(new LinkedHashMap<>(b.conditions));
  }

  /** A bench on {@code input}'s rows. */
  public static Builder builder(BenchInput input) {
    return new Builder(input);
  }

  /** The batch sizes measured, ascending. */
  public List<Integer> batchSizes() {
    return batchSizes;
  }

  /**
   * Scores every target (when the input has labels), then runs the warm-up and measured rounds.
   *
   * @throws IllegalArgumentException when a target refuses the rows or the labels (its message names the target)
   */
  public BenchResult run() {
    List<Map<String, Double>> quality = new ArrayList<>();
    // batches.get(target).get(mode) = that target's distinct batches of that size
    List<List<List<List<? extends Map<String, ?>>>>> batches = new ArrayList<>();
    for (BenchTarget t : targets) {
      List<? extends Map<String, ?>> rows;
      try {
        rows = t.prepare(input.rows());
        quality.add(input.labels().isEmpty() ? Map.of() : t.quality(rows, input.labels()));
      } catch (IllegalArgumentException | IllegalStateException e) {
        throw new IllegalArgumentException(t.name() + ": " + e.getMessage(), e);
      }
      List<List<List<? extends Map<String, ?>>>> modes = new ArrayList<>();
      for (int size : batchSizes) {
        modes.add(BenchInput.batches(rows, size));
      }
      batches.add(modes);
    }
    long[][][] times = new long[targets.size()][batchSizes.size()][rounds];
    int total = warmupRounds + rounds;
    int t0 = targets.size();
    for (int round = 0; round < total; round++) {
      boolean warm = round < warmupRounds;
      for (int m = 0; m < batchSizes.size(); m++) {
        for (int k = 0; k < t0; k++) {
          int t = (k + round) % t0;
          BenchTarget target = targets.get(t);
          List<List<? extends Map<String, ?>>> modeBatches = batches.get(t).get(m);
          List<? extends Map<String, ?>> rows = modeBatches.get(round % modeBatches.size());
          long start = ticker.nanoTime();
          Object out;
          try {
            out = target.call(rows);
          } catch (IllegalArgumentException | IllegalStateException e) {
            throw new IllegalArgumentException(target.name() + ": " + e.getMessage(), e);
          }
          long elapsed = ticker.nanoTime() - start;
          sink = out;
          if (!warm) {
            times[t][m][round - warmupRounds] = elapsed;
          }
        }
      }
      listener.round(round + 1, total, warm);
    }
    List<BenchResult.Version> versions = new ArrayList<>();
    for (int t = 0; t < t0; t++) {
      Map<Integer, LatencySummary> latency = new LinkedHashMap<>();
      for (int m = 0; m < batchSizes.size(); m++) {
        latency.put(batchSizes.get(m), LatencySummary.of(times[t][m]));
      }
      versions.add(new BenchResult.Version(targets.get(t).name(), targets.get(t).version().orElse(null), latency,
          quality.get(t)));
    }
    Map<String, String> all = new LinkedHashMap<>(conditions);
    all.put("input.sha256", input.digest().hex());
    all.put("input.rows", Integer.toString(input.rows().size()));
    if (input.labelColumn() != null) {
      all.put("label", Objects.requireNonNull(input.labelColumn()));
    }
    all.put("batch_sizes", join(batchSizes));
    all.put("warmup_rounds", Integer.toString(warmupRounds));
    all.put("rounds", Integer.toString(rounds));
    List<String> names = new ArrayList<>();
    targets.forEach(t -> names.add(t.name()));
    all.put("interleaved", String.join(" ", names));
    return new BenchResult(versions, all);
  }

  private static String join(List<Integer> xs) {
    StringBuilder s = new StringBuilder();
    xs.forEach(x -> s.append(s.length() == 0 ? "" : ",").append(x));
    return s.toString();
  }

  /** Settings of a {@link Bench}; each is checked when set. */
  public static final class Builder {
    private final BenchInput input;
    private final List<BenchTarget> targets = new ArrayList<>();
    private @Nullable List<Integer> batchSizes;
    private int warmupRounds = DEFAULT_WARMUP_ROUNDS;
    private int rounds = DEFAULT_ROUNDS;
    private Ticker ticker = Ticker.system();
    private BenchListener listener = BenchListener.none();
    private final Map<String, String> conditions = new LinkedHashMap<>();

    private Builder(BenchInput input) {
      this.input = input;
    }

    /**
     * Adds a version to time.
     *
     * @throws IllegalArgumentException when a target of the same name was added already
     */
    public Builder target(BenchTarget target) {
      for (BenchTarget t : targets) {
        if (t.name().equals(target.name())) {
          throw new IllegalArgumentException(target.name() + " is named twice; bench each version once");
        }
      }
      targets.add(target);
      return this;
    }

    /**
     * The batch sizes to measure (1 is the single-row path); default {@link #DEFAULT_BATCH_SIZES}.
     *
     * @throws IllegalArgumentException when the list is empty or a size is not between 1 and 1,000,000
     */
    public Builder batchSizes(List<Integer> sizes) {
      if (sizes.isEmpty()) {
        throw new IllegalArgumentException("Give at least one batch size (1 is the single-row path)");
      }
      for (int s : sizes) {
        if (s < 1 || s > 1_000_000) {
          throw new IllegalArgumentException("Batch sizes must be between 1 and 1000000, got " + s);
        }
      }
      this.batchSizes = List.copyOf(sizes);
      return this;
    }

    /**
     * Rounds run first and not recorded; default {@link #DEFAULT_WARMUP_ROUNDS}.
     *
     * @throws IllegalArgumentException when negative
     */
    public Builder warmupRounds(int warmupRounds) {
      if (warmupRounds < 0) {
        throw new IllegalArgumentException("Warm-up rounds cannot be negative, got " + warmupRounds);
      }
      this.warmupRounds = warmupRounds;
      return this;
    }

    /**
     * Measured rounds, that is calls per version and batch size; default {@link #DEFAULT_ROUNDS}.
     *
     * @throws IllegalArgumentException when less than 2 (a spread needs two calls)
     */
    public Builder rounds(int rounds) {
      if (rounds < 2) {
        throw new IllegalArgumentException("Measure at least 2 rounds, got " + rounds);
      }
      this.rounds = rounds;
      return this;
    }

    /** The time source; default {@link Ticker#system()}. Tests pass synthetic timings. */
    public Builder ticker(Ticker ticker) {
      this.ticker = ticker;
      return this;
    }

    /** Progress callbacks; default none. */
    public Builder listener(BenchListener listener) {
      this.listener = listener;
      return this;
    }

    /**
     * Conditions to record with the results besides the ones the bench knows (input digest, rows, label,
     * batch sizes, rounds, versions): the machine and JDK ({@link BenchConditions#machine()}), the tool.
     */
    public Builder conditions(Map<String, String> conditions) {
      this.conditions.putAll(conditions);
      return this;
    }

    /**
     * The bench.
     *
     * @throws IllegalStateException when no target was added
     */
    public Bench build() {
      if (targets.isEmpty()) {
        throw new IllegalStateException("Add at least one target (a model version) to bench");
      }
      return new Bench(this);
    }
  }
}
