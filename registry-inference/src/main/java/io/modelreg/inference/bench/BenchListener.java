package io.modelreg.inference.bench;

/** Progress of a {@link Bench} run. */
@FunctionalInterface
public interface BenchListener {

  /**
   * Called after each round (one call per version and batch size).
   *
   * @param round rounds done so far, warm-up included
   * @param rounds rounds in the whole run
   * @param warmingUp whether the round just done was a warm-up round
   */
  void round(int round, int rounds, boolean warmingUp);

  /** A listener that ignores everything. */
  static BenchListener none() {
    return (round, rounds, warmingUp) -> {};
  }
}
