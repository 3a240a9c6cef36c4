package io.modelreg.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelreg.ModelRegistries;
import io.modelreg.ModelRegistry;
import io.modelreg.Registration;
import io.modelreg.RegistryEvent;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The events change token follows LISTEN/NOTIFY: it moves when another client commits a change, stays while
 * nothing changes, and is null (so every poll reads) while the listening connection is down.
 */
@ExtendWith(RequiresPostgres.class)
class ListenNotifyTest {
  @BeforeEach
  void database() {
    TestDatabase.require(); // each test shows as skipped, with the reason, when there is no server
  }

  @Test
  void anotherClientsCommitMovesTheTokenAndNothingElseDoes() throws Exception {
    String schema = TestDatabase.newSchema("listen");
    try (JdbcRegistryStore watcher = TestDatabase.open(schema); JdbcRegistryStore writer = TestDatabase.open(schema);
         ModelRegistry writing = ModelRegistries.create(writer, TestDatabase.options(schema).build())) {
      await("listening", () -> watcher.eventsChangeToken() != null);
      Object before = Objects.requireNonNull(watcher.eventsChangeToken());
      writer.listModelNames(); // reads notify nothing
      assertThat(watcher.eventsChangeToken()).isEqualTo(before);

      writing.createModel("churn", "d", java.util.Map.of());
      await("the token moved after another client's commit", () -> !before.equals(watcher.eventsChangeToken()));
    }
  }

  @Test
  void aWatchInAnotherClientSeesAnAliasMoveWithoutWaitingForAFullPoll() throws Exception {
    String schema = TestDatabase.newSchema("listen");
    try (ModelRegistry writer = ModelRegistries.open(TestDatabase.url(), TestDatabase.options(schema).build());
         ModelRegistry watcher = ModelRegistries.open(TestDatabase.url(), TestDatabase.options(schema)
             .watchPollInterval(Duration.ofMillis(10)).cacheTtl(Duration.ZERO).build())) {
      writer.register("churn", Registration.builder().bytes("m", "1".getBytes(StandardCharsets.UTF_8)).build());
      writer.register("churn", Registration.builder().bytes("m", "2".getBytes(StandardCharsets.UTF_8)).build());
      BlockingQueue<RegistryEvent> seen = new LinkedBlockingQueue<>();
      watcher.watchAll(seen::add);
      writer.setAlias("churn", "champion", 1);
      RegistryEvent e = seen.poll(20, TimeUnit.SECONDS);
      assertThat(e).isNotNull();
      assertThat(e.type()).isEqualTo(RegistryEvent.Type.ALIAS_SET);
      writer.setAlias("churn", "champion", 2);
      RegistryEvent moved = seen.poll(20, TimeUnit.SECONDS);
      assertThat(moved).isNotNull();
      assertThat(moved.version()).isEqualTo(2);
      assertThat(watcher.resolve("models:/churn@champion").number()).isEqualTo(2);
    }
  }

  @Test
  void aWatchWithAnHourLongPollHearsAnotherClientsAliasMoveThroughTheNotification() throws Exception {
    String schema = TestDatabase.newSchema("listen");
    Duration hour = Duration.ofHours(1); // no poll runs during the test: only the notification can deliver
    try (ModelRegistry writer = ModelRegistries.open(TestDatabase.url(), TestDatabase.options(schema).build());
         JdbcRegistryStore watched = TestDatabase.open(schema);
         ModelRegistry watcher = ModelRegistries.create(watched, TestDatabase.options(schema)
             .watchPollInterval(hour).cacheTtl(hour).build())) {
      writer.register("churn", Registration.builder().bytes("m", "1".getBytes(StandardCharsets.UTF_8)).build());
      writer.register("churn", Registration.builder().bytes("m", "2".getBytes(StandardCharsets.UTF_8)).build());
      writer.setAlias("churn", "live", 1);
      assertThat(watcher.resolve("models:/churn@live").number()).isEqualTo(1); // now cached for an hour
      BlockingQueue<RegistryEvent> seen = new LinkedBlockingQueue<>();
      watcher.watch("churn", seen::add); // one model, as ModelPool watches: no events token involved
      await("listening", () -> watched.eventsChangeToken() != null);

      for (int target : new int[] {2, 1, 2}) {
        writer.setAlias("churn", "live", target);
        RegistryEvent e = seen.poll(30, TimeUnit.SECONDS);
        assertThat(e).as("the alias move to %d, delivered by the notification", target).isNotNull();
        assertThat(e.type()).isEqualTo(RegistryEvent.Type.ALIAS_SET);
        assertThat(e.version()).isEqualTo(target);
        assertThat(watcher.resolve("models:/churn@live").number())
            .as("the cached records were dropped before the listener was told").isEqualTo(target);
      }
    }
  }

  @Test
  void whileTheListeningConnectionIsDownTheTokenIsNullAndWatchersStillPoll() throws Exception {
    String schema = TestDatabase.newSchema("listen");
    try (JdbcRegistryStore watched = TestDatabase.open(schema);
         ModelRegistry watcher = ModelRegistries.create(watched, TestDatabase.options(schema)
             .watchPollInterval(Duration.ofMillis(10)).build());
         ModelRegistry writer = ModelRegistries.open(TestDatabase.url(), TestDatabase.options(schema).build())) {
      BlockingQueue<RegistryEvent> seen = new LinkedBlockingQueue<>();
      watcher.watchAll(seen::add);
      await("listening", () -> watched.eventsChangeToken() != null);
      Object before = Objects.requireNonNull(watched.eventsChangeToken());

      try (Connection c = TestDatabase.connect(schema);
           PreparedStatement s = c.prepareStatement("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
               + " WHERE application_name = 'modelreg-listen " + schema + "'")) {
        try (ResultSet r = s.executeQuery()) {
          r.next();
          assertThat(r.getInt(1)).as("listening sessions terminated").isGreaterThanOrEqualTo(1);
        }
      }
      writer.createModel("fraud", null, java.util.Map.of());
      RegistryEvent e = seen.poll(20, TimeUnit.SECONDS);
      assertThat(e).as("an event delivered by polling or after reconnecting").isNotNull();
      assertThat(e.model()).isEqualTo("fraud");
      await("listening again, in a new epoch", () -> {
        Object now = watched.eventsChangeToken();
        return now != null && !now.toString().split(":")[0].equals(before.toString().split(":")[0]);
      });
    }
  }

  /** Waits for a condition another connection makes true; fails after 20 s. */
  static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for: " + what);
      }
      Thread.sleep(5); // waiting for another connection's effect; no result depends on the pause
    }
  }
}
