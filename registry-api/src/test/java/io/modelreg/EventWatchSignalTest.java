package io.modelreg;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelreg.mem.MemoryRegistryStore;
import io.modelreg.spi.RegistryStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A store that can tell when its logs grew ({@link RegistryStore#onEventsChanged}) makes a watch read them at
 * once. The watcher's poll interval is an hour, so an event delivered within the test came from the signal.
 */
class EventWatchSignalTest {
  private static final Duration HOUR = Duration.ofHours(1);

  @Test
  void anotherClientsAliasMoveIsDeliveredWhenTheStoreSignalsNotAtTheNextPoll() throws Exception {
    MemoryRegistryStore data = MemoryRegistryStore.create();
    MemoryRegistryStore signalling = data.sharedView(); // its hooks run when the test signals, as a NOTIFY would
    try (ModelRegistry writer = ModelRegistries.create(data.sharedView(), RegistryOptions.defaults());
         ModelRegistry watcher = ModelRegistries.create(signalling,
             RegistryOptions.builder().watchPollInterval(HOUR).cacheTtl(HOUR).build())) {
      writer.register("churn", Registration.builder().bytes("m", "1".getBytes(StandardCharsets.UTF_8)).build());
      writer.register("churn", Registration.builder().bytes("m", "2".getBytes(StandardCharsets.UTF_8)).build());
      writer.setAlias("churn", "live", 1);
      assertThat(watcher.resolve("models:/churn@live").number()).isEqualTo(1); // cached for an hour
      BlockingQueue<RegistryEvent> seen = new LinkedBlockingQueue<>();
      watcher.watch("churn", seen::add);
      assertThat(signalling.eventsChangedHooks()).as("the watch gave the store one wake hook").isEqualTo(1);
      watcher.watchAll(e -> { });
      assertThat(signalling.eventsChangedHooks()).as("a second watch on the same registry adds no hook").isEqualTo(1);

      writer.setAlias("churn", "live", 2);
      signalling.signalEventsChanged();
      RegistryEvent e = seen.poll(30, TimeUnit.SECONDS);
      assertThat(e).as("the event, delivered after the signal (the poll interval is an hour)").isNotNull();
      assertThat(e.type()).isEqualTo(RegistryEvent.Type.ALIAS_SET);
      assertThat(e.version()).isEqualTo(2);
      assertThat(watcher.resolve("models:/churn@live").number())
          .as("the watch dropped the cached records before telling the listener").isEqualTo(2);
    }
  }

  @Test
  void signalsWithNothingNewDeliverNothingAndManySignalsDeliverEachEventOnce() throws Exception {
    MemoryRegistryStore data = MemoryRegistryStore.create();
    MemoryRegistryStore signalling = data.sharedView(); // its hooks run when the test signals, as a NOTIFY would
    try (ModelRegistry writer = ModelRegistries.create(data.sharedView(), RegistryOptions.defaults());
         ModelRegistry watcher = ModelRegistries.create(signalling,
             RegistryOptions.builder().watchPollInterval(HOUR).build())) {
      writer.register("churn", Registration.builder().bytes("m", "1".getBytes(StandardCharsets.UTF_8)).build());
      BlockingQueue<RegistryEvent> seen = new LinkedBlockingQueue<>();
      watcher.watch("churn", seen::add);
      for (int i = 0; i < 50; i++) {
        signalling.signalEventsChanged();
      }
      writer.setModelTag("churn", "team", "ml");
      for (int i = 0; i < 50; i++) {
        signalling.signalEventsChanged();
      }
      RegistryEvent e = seen.poll(30, TimeUnit.SECONDS);
      assertThat(e).isNotNull();
      assertThat(e.type()).isEqualTo(RegistryEvent.Type.MODEL_TAG_SET);
      // a last signal queued behind every earlier one: once it has run, nothing else can be pending
      BlockingQueue<RegistryEvent> marker = new LinkedBlockingQueue<>();
      watcher.watch("churn", marker::add);
      writer.setModelTag("churn", "team", "ops");
      signalling.signalEventsChanged();
      assertThat(marker.poll(30, TimeUnit.SECONDS)).isNotNull();
      assertThat(seen.poll(30, TimeUnit.SECONDS)).as("the second tag event").isNotNull();
      assertThat(seen).as("each event once, however many signals").isEmpty();
    }
  }
}
