package io.modelreg.examples;

import io.modelreg.jmh.ModelBenchmark;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * A JMH benchmark of your own registered model on your own rows: everything but the timed calls comes from
 * {@link ModelBenchmark}. Run it against two versions and two batch sizes:
 *
 * <pre>
 * java -cp … org.openjdk.jmh.Main ChurnModelBenchmark -p registry=file:/srv/models \
 *     -p model=models:/churn/1,models:/churn/2 -p input=rows.csv -p label=churned -p batchSize=1,32
 * </pre>
 *
 * {@code ChurnModelBenchmarkTest} runs it with tiny iteration counts on models the quickstart's trainer makes.
 */
@State(Scope.Benchmark)
public class ChurnModelBenchmark extends ModelBenchmark {
  @Benchmark
  public float[] oneRow() {
    return predictRow();
  }

  @Benchmark
  public float[][] batch() {
    return predictBatch();
  }
}
