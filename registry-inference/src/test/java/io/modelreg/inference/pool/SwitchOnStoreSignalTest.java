package io.modelreg.inference.pool;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelreg.ModelRegistries;
import io.modelreg.ModelRegistry;
import io.modelreg.Registration;
import io.modelreg.RegistryOptions;
import io.modelreg.inference.ModelBundle;
import io.modelreg.inference.ModelPredictor;
import io.modelreg.inference.PredictorOptions;
import io.modelreg.inference.preprocess.Preprocessor;
import io.modelreg.mem.MemoryRegistryStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pool's part of P11's "alias moved by another process → first answer by the new version": when the
 * serving registry's store signals a change ({@code RegistryStore.onEventsChanged}, as {@code jdbc:} does on a
 * {@code NOTIFY}), the pool follows the move without any poll (the poll interval here is an hour), has loaded
 * and warmed the new version before it switches, and the first request after the switch is a hit: nothing is
 * loaded on the request path.
 */
class SwitchOnStoreSignalTest {
  private static final Map<String, Object> ROW = Map.of("f00", 0.5, "f01", -1.0);
  private static final Duration HOUR = Duration.ofHours(1);

  /** What the pool looked like when it told its listeners about a switch. */
  private record AtSwitch(int to, long loads, int loadedModels) {}

  @Test
  void aSignalledMoveIsLoadedAndWarmedBeforeTheSwitchAndTheFirstRequestAfterItIsAHit(@TempDir Path dir)
      throws Exception {
    MemoryRegistryStore data = MemoryRegistryStore.create();
    MemoryRegistryStore signalling = data.sharedView(); // its hooks run when the test signals, as a NOTIFY would
    try (ModelRegistry ci = ModelRegistries.create(data.sharedView(), RegistryOptions.defaults());
         ModelRegistry serving = ModelRegistries.create(signalling,
             RegistryOptions.builder().watchPollInterval(HOUR).cacheTtl(HOUR).build())) {
      Path onnx = dir.resolve("model.onnx");
      io.modelreg.inference.TwoFeatureModelAccess.saveOnnx(onnx);
      ModelBundle bundle = ModelBundle.builder().onnx(onnx)
          .preprocessor(Preprocessor.identity(List.of("f00", "f01"))).build();
      bundle.register(ci, "m", Registration.builder());
      bundle.register(ci, "m", Registration.builder());
      ci.setAlias("m", "live", 1);
      BlockingQueue<AtSwitch> switched = new LinkedBlockingQueue<>();
      try (ModelPool<ModelPredictor> pool = ModelPool.builder(serving).budget(MemoryBudget.bytes(1L << 30))
          .predictorOptions(PredictorOptions.defaults().cacheDirectory(dir.resolve("cache"))).build()) {
        pool.onSwitch((uri, from, to, at) -> {
          PoolSnapshot s = pool.snapshot();
          switched.add(new AtSwitch(to.number(), s.loads(), s.loadedModels()));
        });
        assertThat(pool.predict("models:/m@live", ROW).version().number()).isEqualTo(1);
        assertThat(signalling.eventsChangedHooks()).as("the pool's watch gave the store its wake hook").isEqualTo(1);

        ci.setAlias("m", "live", 2); // another client: this registry is not told, and it polls hourly
        signalling.signalEventsChanged(); // the store's signal, as a NOTIFY arriving
        AtSwitch s = switched.poll(30, TimeUnit.SECONDS);
        assertThat(s).as("the pool switched after the signal alone").isNotNull();
        assertThat(s.to()).isEqualTo(2);
        assertThat(s.loads()).as("version 2 was loaded (and warmed) before the switch").isEqualTo(2);
        assertThat(s.loadedModels()).as("version 1 still loaded while the switch happens").isEqualTo(2);

        PoolSnapshot before = pool.snapshot();
        assertThat(pool.predict("models:/m@live", ROW).version().number()).isEqualTo(2);
        PoolSnapshot after = pool.snapshot();
        assertThat(after.hits() - before.hits()).as("the first request after the switch is a hit").isEqualTo(1);
        assertThat(after.misses()).as("no request waited for a load").isEqualTo(before.misses());
        assertThat(after.loads()).isEqualTo(2);
      }
    }
  }
}
