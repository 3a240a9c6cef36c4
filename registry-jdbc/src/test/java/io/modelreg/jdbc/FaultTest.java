package io.modelreg.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.modelreg.GcReport;
import io.modelreg.ModelRegistries;
import io.modelreg.ModelRegistry;
import io.modelreg.ModelVersion;
import io.modelreg.Registration;
import io.modelreg.RegistryEvent;
import io.modelreg.RegistryOptions;
import io.modelreg.TransientRegistryException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Real faults on a real server: the database stopped and restarted mid-operation, a connection dropped, a
 * statement timeout. Each ends in {@link TransientRegistryException} after bounded retries (or in success when a
 * retry could finish the work), and never leaves anything half written.
 */
@ExtendWith(RequiresPostgres.class)
class FaultTest {
  @BeforeEach
  void database() {
    TestDatabase.require(); // each test shows as skipped, with the reason, when there is no server
  }

  private static RegistryOptions.Builder options(String schema) {
    return TestDatabase.options(schema).cacheTtl(Duration.ZERO)
        .storeOption(JdbcRegistryProvider.ATTEMPTS, "3")
        .storeOption(JdbcRegistryProvider.CONNECT_TIMEOUT, "PT1S");
  }

  @Test
  void aStatementTimeoutIsRetriedThenTransientAndWritesNothing() throws Exception {
    String schema = TestDatabase.newSchema("fault");
    try (ModelRegistry registry = ModelRegistries.open(TestDatabase.url(), options(schema)
        .storeOption(JdbcRegistryProvider.STATEMENT_TIMEOUT, "PT0.3S").build())) {
      registry.createModel("churn", null, Map.of("team", "ml"));
      int events = registry.history("churn").size();
      try (Connection blocker = TestDatabase.connect(schema)) {
        lockModelRow(blocker, "churn");
        assertThatThrownBy(() -> registry.setModelTag("churn", "team", "growth"))
            .isInstanceOf(TransientRegistryException.class)
            .hasMessageContaining("after 3 attempts")
            .hasMessageContaining("57014");
        blocker.rollback();
      }
      assertThat(registry.getModel("churn").tags()).containsEntry("team", "ml");
      assertThat(registry.history("churn")).hasSize(events);
      registry.setModelTag("churn", "team", "growth");
      assertThat(registry.getModel("churn").tags()).containsEntry("team", "growth");
      assertThat(registry.history("churn")).hasSize(events + 1);
    }
  }

  @Test
  void aDroppedConnectionIsRetriedOnANewOneUnderTheModelLockAndTheChangeLandsOnce() throws Exception {
    String schema = TestDatabase.newSchema("fault");
    try (ModelRegistry registry = ModelRegistries.open(TestDatabase.url(), options(schema).build())) {
      registry.createModel("churn", null, Map.of("team", "ml"));
      int events = registry.history("churn").size();
      CompletableFuture<Void> write;
      try (Connection blocker = TestDatabase.connect(schema)) {
        lockModelRow(blocker, "churn");
        write = CompletableFuture.runAsync(() -> registry.setModelTag("churn", "team", "growth"));
        int pid = awaitBlockedBackend(blocker, "UPDATE models");
        try (PreparedStatement s = blocker.prepareStatement("SELECT pg_terminate_backend(?)")) {
          s.setInt(1, pid);
          s.execute();
        }
        blocker.rollback(); // the retry, on a new connection holding the lock again, can now finish
      }
      write.get(60, TimeUnit.SECONDS);
      assertThat(registry.getModel("churn").tags()).containsEntry("team", "growth");
      assertThat(registry.history("churn")).hasSize(events + 1);
      assertThat(registry.history("churn").get(events).type()).isEqualTo(RegistryEvent.Type.MODEL_TAG_SET);
    }
  }

  @Test
  void theDatabaseStoppedMidOperationIsTransientAfterBoundedRetriesAndServesAgainAfterItStarts() throws Exception {
    String control = requireControl();
    String schema = TestDatabase.newSchema("fault");
    try (ModelRegistry registry = ModelRegistries.open(TestDatabase.url(), options(schema).build())) {
      ModelVersion v1 = registry.register("churn", Registration.builder().bytes("m", bytes("one")).build());
      int events = registry.history("churn").size();
      CompletableFuture<Void> write;
      try (Connection blocker = TestDatabase.connect(schema)) {
        lockModelRow(blocker, "churn");
        write = CompletableFuture.runAsync(() -> registry.setAlias("churn", "champion", v1.number()));
        awaitBlockedBackend(blocker, "UPDATE models");
        run(control, "stop");
      }
      try {
        assertThatThrownBy(() -> write.get(120, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
            .cause().isInstanceOf(TransientRegistryException.class).hasMessageContaining("after 3 attempts");
      } finally {
        run(control, "start");
      }
      assertThat(registry.getModel("churn").aliases()).doesNotContainKey("champion");
      assertThat(registry.history("churn")).hasSize(events);
      registry.setAlias("churn", "champion", v1.number());
      assertThat(registry.resolve("models:/churn@champion").number()).isEqualTo(v1.number());
      assertThat(registry.verify().problems()).isEmpty();
    }
  }

  @Test
  void aRestartInTheMiddleOfAnUploadFailsTheRegistrationTransientlyLeavesNoVersionAndGcReclaimsTheChunks()
      throws Exception {
    String control = requireControl();
    String schema = TestDatabase.newSchema("fault");
    try (ModelRegistry registry = ModelRegistries.open(TestDatabase.url(), options(schema).build())) {
      CountDownLatch halfway = new CountDownLatch(1);
      CountDownLatch restarted = new CountDownLatch(1);
      long size = 3L * DatabaseBlobs.CHUNK;
      CompletableFuture<ModelVersion> registration = CompletableFuture.supplyAsync(() -> registry.register("big",
          Registration.builder().stream("model.bin", () -> pausing(size, 2L * DatabaseBlobs.CHUNK, halfway, restarted))
              .build()));
      assertThat(halfway.await(60, TimeUnit.SECONDS)).isTrue();
      run(control, "restart");
      restarted.countDown();
      assertThatThrownBy(() -> registration.get(120, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
          .cause().isInstanceOf(TransientRegistryException.class);

      assertThat(registry.findModel("big")).as("no model or version half registered").isEmpty();
      assertThat(CrashTest.count(schema, "SELECT count(*) FROM contents c WHERE NOT EXISTS"
          + " (SELECT 1 FROM blobs b WHERE b.content_id = c.id)")).as("chunks the failed upload left").isPositive();
      GcReport report = registry.gc();
      assertThat(CrashTest.count(schema, "SELECT count(*) FROM contents")).as("contents after gc " + report).isZero();
      assertThat(CrashTest.count(schema, "SELECT count(*) FROM uploads")).isZero();

      ModelVersion v = registry.register("big", Registration.builder().bytes("model.bin", bytes("again")).build());
      assertThat(v.number()).as("the failed registration consumed no number").isEqualTo(1);
      assertThat(registry.verify().problems()).isEmpty();
    }
  }

  // ---------------------------------------------------------------- helpers

  private static String requireControl() {
    String control = System.getenv("MODELREG_IT_PG_CONTROL");
    if ("1".equals(System.getenv(TestDatabase.REQUIRE_ENV))) {
      assertThat(control).as("MODELREG_IT_PG_CONTROL from .ci/postgres (the restart tests need it)").isNotBlank();
    }
    assumeTrue(control != null && !control.isBlank(),
        "stopping and restarting the server needs MODELREG_IT_PG_CONTROL (set by .ci/postgres start)");
    return control;
  }

  private static void run(String control, String command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(control, command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).as(control + " " + command).isTrue();
    assertThat(p.exitValue()).as(control + " " + command + ": " + out).isZero();
  }

  /** Begins a transaction on {@code c} that holds the model's row lock until rolled back. */
  private static void lockModelRow(Connection c, String model) throws SQLException {
    c.setAutoCommit(false);
    try (PreparedStatement s = c.prepareStatement("SELECT 1 FROM models WHERE name = ? FOR UPDATE")) {
      s.setString(1, model);
      s.executeQuery().close();
    }
  }

  /** The pid of the registry's backend that waits on a lock (for {@code what}, the statement the test blocks). */
  private static int awaitBlockedBackend(Connection c, String what) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    try (Statement s = c.createStatement()) {
      while (System.nanoTime() < deadline) {
        try (ResultSet r = s.executeQuery("SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
            + " AND datname = current_database() AND application_name = 'modelreg'")) {
          if (r.next()) {
            return r.getInt(1); // pg_stat_activity's query text can lag behind with server-prepared statements
          }
        }
        Thread.sleep(10); // waiting for another thread's statement to reach the lock
      }
    }
    StringBuilder activity = new StringBuilder();
    try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT pid, application_name, state,"
        + " wait_event_type, wait_event, query FROM pg_stat_activity WHERE datname = current_database()")) {
      while (r.next()) {
        activity.append("\n  ").append(r.getInt(1)).append(' ').append(r.getString(2)).append(' ').append(r.getString(3))
            .append(' ').append(r.getString(4)).append('/').append(r.getString(5)).append(": ").append(r.getString(6));
      }
    }
    throw new AssertionError("no " + what + " of the registry waited on the lock within 20 s; sessions:" + activity);
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  /** {@code size} bytes that stop after {@code pauseAt} until {@code go}, after announcing {@code paused}. */
  private static InputStream pausing(long size, long pauseAt, CountDownLatch paused, CountDownLatch go) {
    return new InputStream() {
      private long given;

      @Override
      public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        if (given == pauseAt) {
          paused.countDown();
          try {
            if (!go.await(120, TimeUnit.SECONDS)) {
              throw new IOException("the test never resumed the stream");
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
          }
        }
        if (given == size) {
          return -1;
        }
        int n = (int) Math.min(len, (given < pauseAt ? pauseAt : size) - given);
        java.util.Arrays.fill(b, off, off + n, (byte) (given % 251));
        given += n;
        return n;
      }
    };
  }
}
