package io.modelreg.filesystem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.modelreg.IntegrityException;
import io.modelreg.RegistryEvent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EventLogTest {
  private static final Instant T = Instant.parse("2026-03-01T12:00:00Z");
  @TempDir Path dir;

  private Path file() {
    return dir.resolve("events.jsonl");
  }

  private static RegistryEvent event(RegistryEvent.Type type, Integer version) {
    return new RegistryEvent("churn", 0, T, "ada", type, version, Map.of("k", "v"));
  }

  private static String line(long seq) {
    return "{\"seq\":" + seq + ",\"time\":\"2026-03-01T12:00:00Z\",\"actor\":\"ada\",\"type\":\"VERSION_REGISTERED\","
        + "\"version\":" + seq + ",\"details\":{}}\n";
  }

  @Test
  void appendsNumberFromOneAndWriteOneCompactLineEach() throws IOException {
    EventLog log = new EventLog("churn", file());
    assertThat(log.last()).as("no file yet").isZero();
    assertThat(log.after(0)).isEmpty();

    RegistryEvent first = log.append(event(RegistryEvent.Type.MODEL_CREATED, null));
    RegistryEvent second = log.append(event(RegistryEvent.Type.VERSION_REGISTERED, 1));

    assertThat(first.sequence()).isEqualTo(1);
    assertThat(second.sequence()).isEqualTo(2);
    assertThat(Files.readAllLines(file())).containsExactly(
        "{\"seq\":1,\"time\":\"2026-03-01T12:00:00Z\",\"actor\":\"ada\",\"type\":\"MODEL_CREATED\",\"details\":{\"k\":\"v\"}}",
        "{\"seq\":2,\"time\":\"2026-03-01T12:00:00Z\",\"actor\":\"ada\",\"type\":\"VERSION_REGISTERED\",\"version\":1,\"details\":{\"k\":\"v\"}}");
    assertThat(log.last()).isEqualTo(2);
    assertThat(log.after(0)).containsExactly(first, second);
    assertThat(log.after(1)).containsExactly(second);
    assertThat(log.after(2)).isEmpty();
    assertThat(log.after(-5)).hasSize(2);
  }

  @Test
  void anotherReaderOfTheSameFileSeesWhatWasAppendedSinceItLastLooked() throws IOException {
    EventLog writer = new EventLog("churn", file());
    EventLog reader = new EventLog("churn", file());
    writer.append(event(RegistryEvent.Type.MODEL_CREATED, null));
    assertThat(reader.last()).isEqualTo(1);
    writer.append(event(RegistryEvent.Type.VERSION_REGISTERED, 1));
    writer.append(event(RegistryEvent.Type.VERSION_REGISTERED, 2));
    assertThat(reader.after(1)).extracting(RegistryEvent::version).containsExactly(1, 2);
    // and the reader can append after them with the next number
    assertThat(reader.append(event(RegistryEvent.Type.ALIAS_SET, 2)).sequence()).isEqualTo(4);
    assertThat(writer.last()).isEqualTo(4);
  }

  @Test
  void aLineStillBeingWrittenIsLeftForLaterAndAnAppendCutsOffACrashRemnant() throws IOException {
    Files.writeString(file(), line(1) + line(2).substring(0, 30));
    EventLog log = new EventLog("churn", file());
    assertThat(log.last()).as("only complete lines count").isEqualTo(1);

    RegistryEvent next = log.append(event(RegistryEvent.Type.VERSION_REGISTERED, 2));

    assertThat(next.sequence()).isEqualTo(2);
    List<String> lines = Files.readAllLines(file());
    assertThat(lines).hasSize(2);
    assertThat(lines.get(1)).startsWith("{\"seq\":2,").endsWith("}");
    assertThat(new EventLog("churn", file()).after(0)).extracting(RegistryEvent::sequence).containsExactly(1L, 2L);
  }

  @Test
  void aLineCompletedLaterIsReadThen() throws IOException {
    String two = line(2);
    Files.writeString(file(), line(1) + two.substring(0, 10));
    EventLog log = new EventLog("churn", file());
    assertThat(log.last()).isEqualTo(1);
    Files.writeString(file(), two.substring(10), StandardOpenOption.APPEND);
    assertThat(log.last()).isEqualTo(2);
  }

  @Test
  void aLogReplacedOrTruncatedFromOutsideIsReadAgainFromTheStart() throws IOException {
    Files.writeString(file(), line(1) + line(2) + line(3));
    EventLog log = new EventLog("churn", file());
    assertThat(log.last()).isEqualTo(3);
    Files.writeString(file(), line(1));
    assertThat(log.last()).isEqualTo(1);
    Files.delete(file());
    assertThat(log.last()).isZero();
    assertThat(log.append(event(RegistryEvent.Type.MODEL_CREATED, null)).sequence()).isEqualTo(1);
  }

  @Test
  void aSequenceThatDoesNotMatchItsLineIsDamageNamingFileAndLine() throws IOException {
    Files.writeString(file(), line(1) + line(3));
    EventLog log = new EventLog("churn", file());
    assertThatThrownBy(log::last).isInstanceOf(IntegrityException.class)
        .hasMessage("Corrupt registry file " + file() + ": line 2 has sequence 3");
  }

  @Test
  void aLineThatIsNotAnEventIsDamageNamingFileAndLine() throws IOException {
    Files.writeString(file(), line(1) + "{\"seq\":2,\"time\":\"noon\",\"actor\":\"a\",\"type\":\"MODEL_CREATED\",\"details\":{}}\n", StandardCharsets.UTF_8);
    assertThatThrownBy(() -> new EventLog("churn", file()).after(0)).isInstanceOf(IntegrityException.class)
        .hasMessageContaining(file() + " line 2").hasMessageContaining("field 'time' must be an ISO-8601 instant");
    Files.writeString(file(), line(1) + "not json\n", StandardCharsets.UTF_8);
    assertThatThrownBy(() -> new EventLog("churn", file()).after(0)).isInstanceOf(IntegrityException.class)
        .hasMessageContaining(file() + " line 2");
  }
}
