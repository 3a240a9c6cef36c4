package io.modelreg.jmh;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/** A consumer's benchmark as the README shows it: the state does the rest. */
@State(Scope.Benchmark)
public class TinyModelBenchmark extends ModelBenchmark {
  @Benchmark
  public float[] oneRow() {
    return predictRow();
  }

  @Benchmark
  public float[][] batch() {
    return predictBatch();
  }
}
