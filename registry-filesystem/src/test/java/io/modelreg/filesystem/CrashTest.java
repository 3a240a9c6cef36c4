package io.modelreg.filesystem;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelreg.ModelRegistries;
import io.modelreg.ModelRegistry;
import io.modelreg.ModelVersion;
import io.modelreg.RegistryOptions;
import io.modelreg.testkit.ChildJvm;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A child JVM registering versions is killed hard at random instants, trial after trial, on the same
 * registry. After each kill the registry must open, verify clean, show only complete versions, and keep
 * every version registered before the kill unchanged.
 */
class CrashTest {
  private static final int TRIALS = 8;
  private static final int SIZE = 256 * 1024;

  @Test
  void killingAWriterAtAnyInstantLeavesAConsistentRegistry(@TempDir Path root) throws Exception {
    long seed = System.nanoTime();
    Random random = new Random(seed);
    Map<Integer, String> committed = new HashMap<>();
    for (int trial = 0; trial < TRIALS; trial++) {
      long delayMillis = 50 + random.nextInt(1500);
      String context = "seed " + seed + ", trial " + trial + ", kill after " + delayMillis + " ms";
      try (ChildJvm child = new ChildJvm(ChildRegistrar.class, root.toString(), "crashy", "100000", "t" + trial,
          Integer.toString(SIZE))) {
        assertThat(child.awaitLine("READY", 120)).as(context).isTrue();
        Thread.sleep(delayMillis); // the instant of the kill is the point of the test, not a wait for a result
        child.kill();
        for (String line : child.lines()) {
          if (line.startsWith("REGISTERED ")) {
            String[] parts = line.split(" ");
            committed.put(Integer.parseInt(parts[1]), parts[2]);
          }
        }
      }

      try (ModelRegistry registry = ModelRegistries.open(root.toUri(), RegistryOptions.builder().cacheTtl(Duration.ZERO).build())) {
        assertThat(TestFiles.listFiles(root.resolve("tmp"))).as("orphan temp files after reopening; " + context).isEmpty();
        assertThat(registry.verify().problems()).as(context).isEmpty();
        if (registry.findModel("crashy").isEmpty()) {
          assertThat(committed).as(context).isEmpty();
          continue;
        }
        Map<Integer, String> visible = new HashMap<>();
        for (ModelVersion v : registry.listVersions("crashy")) {
          visible.put(v.number(), v.digest().toString());
          String origin = java.util.Objects.requireNonNull(v.tags().get("origin"), "origin tag");
          assertThat(origin).as(context).isNotNull();
          try (InputStream in = registry.openArtifact(v, "model.bin")) {
            assertThat(in.readAllBytes()).as("bytes of %s; %s", v.uri(), context)
                .isEqualTo(ChildRegistrar.payload(origin, SIZE));
          }
        }
        assertThat(visible).as("every version reported committed is there, unchanged; " + context)
            .containsAllEntriesOf(committed);
        committed.putAll(visible);
        // A kill between a record and its event loses that one event (README, "Crash cleanup"): the model's
        // creation and each version have one event, and each trial's kill can cost at most one of them.
        assertThat(registry.history("crashy")).as("history after %d kills; %s", trial + 1, context)
            .hasSizeGreaterThanOrEqualTo(1 + visible.size() - (trial + 1));
      }
    }
    assertThat(committed).as("the child got some registrations done (seed " + seed + ")").isNotEmpty();
    assertThat(Files.exists(root.resolve("modelreg.json"))).isTrue();
  }
}
