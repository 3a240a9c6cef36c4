package io.modelreg.benchmarks;

import io.modelreg.prompts.PromptTemplate;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * P5: rendering a compiled 5-variable template with format specs, against {@code String.format} of the
 * equivalent pattern in the same run (both produce the same text).
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar RenderBenchmark -rf json -rff p5.json}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
public class RenderBenchmark {
  private final PromptTemplate template =
      PromptTemplate.parse("Dear {name}, order {order:>8} has {qty:d} items for {price:,.2f} ({share:.1%} of budget)");
  private final String name = "Ada";
  private final String order = "A-17";
  private final int qty = 3;
  private final double price = 1234.5;
  private final double share = 0.125;
  private final Map<String, Object> values =
      Map.of("name", name, "order", order, "qty", qty, "price", price, "share", share);

  @Benchmark
  public String renderTemplate() {
    return template.render(values);
  }

  @Benchmark
  public String baselineStringFormat() {
    return String.format(Locale.ROOT, "Dear %s, order %8s has %d items for %,.2f (%.1f%% of budget)",
        name, order, qty, price, share * 100);
  }
}
