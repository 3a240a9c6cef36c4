package io.modelreg.inference.pool;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelreg.ModelRegistries;
import io.modelreg.ModelRegistry;
import io.modelreg.ModelVersion;
import io.modelreg.Registration;
import io.modelreg.RegistryOptions;
import io.modelreg.inference.ModelBundle;
import io.modelreg.inference.ModelPredictor;
import io.modelreg.inference.PredictorOptions;
import io.modelreg.inference.preprocess.Preprocessor;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Threads keep predicting through {@code models:/m@live} while the alias moves back and forth. No request
 * may fail, and every answer must come from a version that held the alias (as the pool served it) at some
 * moment during that call; the pool must follow every move.
 */
class ZeroDowntimeSwitchTest {
  private static final Map<String, Object> ROW = Map.of("f00", 0.5, "f01", -1.0);
  private static final int THREADS = 4;
  private static final int MOVES = 8;

  /**
   * A change of the served version: {@code to} may answer calls ending after {@code from}; the version
   * before it may answer calls starting before {@code until} (the switch happens somewhere in between).
   */
  private record Switch(long from, long until, int to) {}

  /** One call: when it ran and which version answered. */
  private record Call(long start, long end, int version) {}

  @Test
  void noRequestFailsAndEveryAnswerComesFromAVersionThatHeldTheAlias(@TempDir Path dir) throws Exception {
    try (ModelRegistry registry = ModelRegistries.open(dir.resolve("registry").toUri(),
        RegistryOptions.builder().watchPollInterval(Duration.ofMillis(20)).build())) {
      Path onnx = dir.resolve("model.onnx");
      io.modelreg.inference.TwoFeatureModelAccess.saveOnnx(onnx);
      ModelBundle bundle = ModelBundle.builder().onnx(onnx).preprocessor(Preprocessor.identity(List.of("f00", "f01"))).build();
      bundle.register(registry, "m", Registration.builder().tag("n", "1"));
      bundle.register(registry, "m", Registration.builder().tag("n", "2"));
      registry.setAlias("m", "live", 1);

      List<Switch> switches = new CopyOnWriteArrayList<>();
      BlockingQueue<Integer> switched = new LinkedBlockingQueue<>();
      try (ModelPool<ModelPredictor> pool = ModelPool.builder(registry).budget(MemoryBudget.bytes(1L << 30))
          .predictorOptions(PredictorOptions.defaults().cacheDirectory(dir.resolve("cache"))).build()) {
        assertThat(pool.predict("models:/m@live", ROW).version().number()).isEqualTo(1);
        switches.add(new Switch(Long.MIN_VALUE, Long.MIN_VALUE, 1));
        pool.onSwitch((uri, from, to, at) -> {
          switches.add(new Switch(at, System.nanoTime(), to.number()));
          switched.add(to.number());
        });

        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger failures = new AtomicInteger();
        ConcurrentLinkedQueue<Call> calls = new ConcurrentLinkedQueue<>();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
          Thread thread = new Thread(() -> {
            while (running.get()) {
              long start = System.nanoTime();
              try {
                ModelVersion v = pool.predict("models:/m@live", ROW).version();
                calls.add(new Call(start, System.nanoTime(), v.number()));
              } catch (RuntimeException e) {
                failures.incrementAndGet();
              }
            }
          });
          thread.start();
          threads.add(thread);
        }
        int target = 1;
        for (int move = 0; move < MOVES; move++) {
          target = target == 1 ? 2 : 1;
          registry.setAlias("m", "live", target);
          Integer to = switched.poll(30, TimeUnit.SECONDS);
          assertThat(to).as("the pool follows move %d", move).isEqualTo(target);
        }
        running.set(false);
        for (Thread thread : threads) {
          thread.join(TimeUnit.SECONDS.toMillis(30));
        }

        assertThat(failures.get()).isZero();
        assertThat(calls).hasSizeGreaterThan(MOVES * 2);
        List<Switch> timeline = List.copyOf(switches);
        for (Call c : calls) {
          assertThat(heldDuring(timeline, c)).as("call %s against %s", c, timeline).isTrue();
        }
        assertThat(pool.snapshot().loadedModels()).isLessThanOrEqualTo(2);
      }
    }
  }

  /** Whether the call's version was the served one at some moment in [start, end]. */
  private static boolean heldDuring(List<Switch> timeline, Call c) {
    for (int i = 0; i < timeline.size(); i++) {
      long from = timeline.get(i).from();
      long until = i + 1 < timeline.size() ? timeline.get(i + 1).until() : Long.MAX_VALUE;
      if (timeline.get(i).to() == c.version() && from <= c.end() && until >= c.start()) {
        return true;
      }
    }
    return false;
  }

  @Test
  void aMoveMadeByAnotherRegistryClientIsFollowed(@TempDir Path dir) throws Exception {
    RegistryOptions options = RegistryOptions.builder().watchPollInterval(Duration.ofMillis(20)).build();
    try (ModelRegistry serving = ModelRegistries.open(dir.resolve("registry").toUri(), options);
        ModelRegistry ci = ModelRegistries.open(dir.resolve("registry").toUri(), options)) {
      Path onnx = dir.resolve("model.onnx");
      io.modelreg.inference.TwoFeatureModelAccess.saveOnnx(onnx);
      ModelBundle bundle = ModelBundle.builder().onnx(onnx).preprocessor(Preprocessor.identity(List.of("f00", "f01"))).build();
      bundle.register(ci, "m", Registration.builder());
      bundle.register(ci, "m", Registration.builder());
      ci.setAlias("m", "live", 1);
      BlockingQueue<Integer> switched = new LinkedBlockingQueue<>();
      try (ModelPool<ModelPredictor> pool = ModelPool.builder(serving).budget(MemoryBudget.bytes(1L << 30))
          .predictorOptions(PredictorOptions.defaults().cacheDirectory(dir.resolve("cache"))).build()) {
        pool.onSwitch((uri, from, to, at) -> switched.add(to.number()));
        assertThat(pool.predict("models:/m@live", ROW).version().number()).isEqualTo(1);
        ci.setAlias("m", "live", 2); // another client, as a CI job in another process would
        assertThat(switched.poll(30, TimeUnit.SECONDS)).isEqualTo(2);
        assertThat(pool.predict("models:/m@live", ROW).version().number()).isEqualTo(2);
      }
    }
  }
}
