package io.modelreg.benchmarks;

import io.modelreg.ModelRegistries;
import io.modelreg.ModelRegistry;
import io.modelreg.RegistryEvent;
import io.modelreg.RegistryOptions;
import io.modelreg.inference.ModelPredictor;
import io.modelreg.inference.PredictorOptions;
import io.modelreg.inference.pool.MemoryBudget;
import io.modelreg.inference.pool.ModelPool;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * The serving process of {@link PoolSwitchBenchmark}: a {@link ModelPool} at default options over a registry
 * opened at default options (watch poll 500 ms, cache TTL 1 s), answering {@code models:/m@live} once a
 * millisecond, as a service under steady traffic would. It prints {@code ready <n>} after its first answer,
 * {@code event <n>} when its registry's watch delivered the alias move (a watch of its own, told just before
 * the pool's), {@code switched <from> <to>} when the pool switched the URI, and {@code answer <n>} for the first answer
 * of each new version, and exits when its stdin ends (the parent closed it or died).
 *
 * <p>Arguments: registry URI, {@code jdbc.schema} (or {@code -}), the predictor cache directory.
 */
public final class PoolSwitchChild {
  private PoolSwitchChild() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 3) {
      throw new IllegalArgumentException("usage: PoolSwitchChild <registry uri> <jdbc schema or -> <cache dir>");
    }
    RegistryOptions.Builder options = RegistryOptions.builder();
    if (!args[1].equals("-")) {
      options.storeOption("jdbc.schema", args[1]);
    }
    PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true,
        StandardCharsets.UTF_8);
    Map<String, Object> row = new HashMap<>();
    for (int i = 0; i < PoolSwitchBenchmark.FEATURES; i++) {
      row.put(String.format("f%02d", i), (double) i / PoolSwitchBenchmark.FEATURES);
    }
    try (ModelRegistry registry = ModelRegistries.open(args[0], options.build());
         ModelPool<ModelPredictor> pool = ModelPool.builder(registry).budget(MemoryBudget.bytes(1L << 30))
             .predictorOptions(PredictorOptions.defaults().cacheDirectory(Path.of(args[2]))).build()) {
      // subscribed before the pool's own watch, so told first, on the same watch thread: when the move was heard
      registry.watch("m", e -> {
        if (e.type() == RegistryEvent.Type.ALIAS_SET && e.version() != null) {
          out.println("event " + e.version());
        }
      });
      pool.onSwitch((uri, from, to, at) -> out.println("switched " + from.number() + " " + to.number()));
      Thread stdin = new Thread(() -> {
        try (InputStream in = System.in) {
          while (in.read() >= 0) {
            // the parent writes nothing; the stream ends when it closes it
          }
        } catch (IOException e) {
          // the parent is gone
        }
      }, "stdin");
      stdin.setDaemon(true);
      stdin.start();
      int last = pool.predict("models:/m@live", row).version().number();
      out.println("ready " + last);
      while (stdin.isAlive()) {
        int answered = pool.predict("models:/m@live", row).version().number();
        if (answered != last) {
          out.println("answer " + answered);
          last = answered;
        }
        LockSupport.parkNanos(1_000_000); // one request a millisecond
      }
    }
  }
}
