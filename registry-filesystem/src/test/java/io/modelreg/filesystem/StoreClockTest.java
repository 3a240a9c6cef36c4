package io.modelreg.filesystem;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelreg.ModelRegistries;
import io.modelreg.ModelRegistry;
import io.modelreg.RegistryOptions;
import io.modelreg.Ticker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code file:} store takes wall-clock time only from the clock it is given, never from the system. */
class StoreClockTest {
  static final Instant T0 = Instant.parse("2031-05-06T07:08:09Z");
  @TempDir Path root;

  @Test
  void aNewRegistryRecordsItsCreationTimeFromTheRegistryClock() throws IOException {
    RegistryOptions options = RegistryOptions.builder().clock(Clock.fixed(T0, ZoneOffset.UTC)).build();
    try (ModelRegistry r = ModelRegistries.open(root.toUri(), options)) {
      assertThat(r.listModels()).isEmpty();
    }
    assertThat(Files.readString(root.resolve("modelreg.json"))).contains("\"created_at\" : \"2031-05-06T07:08:09Z\"");
  }

  @Test
  void aTempFileOfAnUnknownWriterIsAnOrphanOnlyOnceTheClockSaysItIsADayOld() throws IOException {
    FilesystemRegistryStore.open(root, Duration.ofSeconds(5), Ticker.system(), Clock.fixed(T0, ZoneOffset.UTC)).close();
    Path stray = Files.writeString(root.resolve("tmp").resolve("left-by-a-tool.part"), "half");
    Files.setLastModifiedTime(stray, FileTime.from(T0.minus(Duration.ofHours(23))));

    FilesystemRegistryStore.open(root, Duration.ofSeconds(5), Ticker.system(), Clock.fixed(T0, ZoneOffset.UTC)).close();
    assertThat(stray).as("23 hours old by the store's clock: kept").exists();

    Clock dayLater = Clock.fixed(T0.plus(Duration.ofHours(2)), ZoneOffset.UTC);
    FilesystemRegistryStore.open(root, Duration.ofSeconds(5), Ticker.system(), dayLater).close();
    assertThat(stray).as("25 hours old by the store's clock: removed").doesNotExist();
  }
}
