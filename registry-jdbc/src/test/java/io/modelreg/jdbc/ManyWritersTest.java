package io.modelreg.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelreg.ModelRegistries;
import io.modelreg.ModelRegistry;
import io.modelreg.ModelVersion;
import io.modelreg.RegistryEvent;
import io.modelreg.testkit.ChildJvm;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Four real JVMs register 50 versions each into one model of one PostgreSQL registry at once, while this JVM watches. */
@ExtendWith(RequiresPostgres.class)
class ManyWritersTest {
  private static final int CHILDREN = 4;
  private static final int EACH = 50;
  private static final int SIZE = 8 * 1024;

  @BeforeEach
  void database() {
    TestDatabase.require(); // each test shows as skipped, with the reason, when there is no server
  }

  @Test
  void fourJvmsRegisterTwoHundredVersionsWithoutAGapOrALostEvent() throws Exception {
    String schema = TestDatabase.newSchema("writers");
    String url = TestDatabase.url();
    try (ModelRegistry registry = ModelRegistries.open(url, TestDatabase.options(schema).cacheTtl(Duration.ZERO)
        .watchPollInterval(Duration.ofMillis(20)).build())) {
      BlockingQueue<RegistryEvent> seen = new LinkedBlockingQueue<>();
      registry.watchAll(seen::add);

      List<ChildJvm> children = new ArrayList<>();
      try {
        for (int c = 0; c < CHILDREN; c++) {
          children.add(new ChildJvm(ChildRegistrar.class, url, schema, "shared", Integer.toString(EACH), "c" + c,
              Integer.toString(SIZE)));
        }
        for (ChildJvm child : children) {
          assertThat(child.waitFor(300)).as("exit code; output %s", child.lines()).isZero();
          assertThat(child.lines()).filteredOn(l -> l.startsWith("REGISTERED")).hasSize(EACH);
        }
      } finally {
        for (ChildJvm child : children) {
          child.close();
        }
      }

      List<ModelVersion> versions = registry.listVersions("shared");
      assertThat(versions).extracting(ModelVersion::number)
          .containsExactlyElementsOf(IntStream.rangeClosed(1, CHILDREN * EACH).boxed().toList());
      Set<String> origins = new TreeSet<>();
      for (ModelVersion v : versions) {
        String origin = Objects.requireNonNull(v.tags().get("origin"), "origin tag");
        origins.add(origin);
        try (InputStream in = registry.openArtifact(v, "model.bin");
             InputStream expected = ChildRegistrar.payload(origin, SIZE)) {
          assertThat(in.readAllBytes()).as("bytes of %s", v.uri()).isEqualTo(expected.readAllBytes());
        }
      }
      assertThat(origins).as("every registration of every child, once").hasSize(CHILDREN * EACH);

      List<RegistryEvent> history = registry.history("shared");
      assertThat(history).extracting(RegistryEvent::sequence)
          .as("event sequences 1, 2, 3 … without a gap")
          .containsExactlyElementsOf(LongStream.rangeClosed(1, history.size()).boxed().toList());
      assertThat(history).filteredOn(e -> e.type() == RegistryEvent.Type.VERSION_REGISTERED)
          .extracting(RegistryEvent::version).as("one registration event per version")
          .containsExactlyInAnyOrderElementsOf(IntStream.rangeClosed(1, CHILDREN * EACH).boxed().toList());
      assertThat(registry.verify().problems()).isEmpty();

      int registered = 0;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (registered < CHILDREN * EACH && System.nanoTime() < deadline) {
        RegistryEvent e = seen.poll(1, TimeUnit.SECONDS);
        if (e != null && e.type() == RegistryEvent.Type.VERSION_REGISTERED) {
          registered++;
        }
      }
      assertThat(registered).as("registration events delivered to the watcher in this JVM").isEqualTo(CHILDREN * EACH);
    }
  }
}
