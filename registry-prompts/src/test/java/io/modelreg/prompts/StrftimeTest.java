package io.modelreg.prompts;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import org.junit.jupiter.api.Test;

/** Every directive against CPython 3.11's {@code datetime.strftime} output for the same values (C locale). */
class StrftimeTest {
  private static final String ALL = "%a|%A|%b|%B|%c|%d|%e|%f|%H|%I|%j|%m|%M|%p|%S|%U|%w|%W|%x|%X|%y|%Y|%%";

  @Test
  void everyDirectiveMatchesPython() {
    assertThat(Strftime.format(LocalDateTime.of(2026, 3, 1, 14, 5, 9, 123_456_000), ALL)).isEqualTo(
        "Sun|Sunday|Mar|March|Sun Mar  1 14:05:09 2026|01| 1|123456|14|02|060|03|05|PM|09|09|0|08|03/01/26|14:05:09|26|2026|%");
    assertThat(Strftime.format(LocalDateTime.of(1999, 7, 4, 9, 8, 7, 5_000), ALL)).isEqualTo(
        "Sun|Sunday|Jul|July|Sun Jul  4 09:08:07 1999|04| 4|000005|09|09|185|07|08|AM|07|27|0|26|07/04/99|09:08:07|99|1999|%");
  }

  @Test
  void weekNumbersAtTheEdgesOfTheYear() {
    // 2026-01-01 is a Thursday: week 00 both ways; 2023-01-01 a Sunday: %U week 01, %W week 00
    assertThat(Strftime.format(LocalDateTime.of(2026, 1, 1, 0, 0), ALL)).isEqualTo(
        "Thu|Thursday|Jan|January|Thu Jan  1 00:00:00 2026|01| 1|000000|00|12|001|01|00|AM|00|00|4|00|01/01/26|00:00:00|26|2026|%");
    assertThat(Strftime.format(LocalDateTime.of(2023, 1, 1, 12, 30), ALL)).isEqualTo(
        "Sun|Sunday|Jan|January|Sun Jan  1 12:30:00 2023|01| 1|000000|12|12|001|01|30|PM|00|01|0|00|01/01/23|12:30:00|23|2023|%");
    assertThat(Strftime.format(LocalDateTime.of(2024, 12, 31, 23, 59, 59, 999_999_000), ALL)).isEqualTo(
        "Tue|Tuesday|Dec|December|Tue Dec 31 23:59:59 2024|31|31|999999|23|11|366|12|59|PM|59|52|2|53|12/31/24|23:59:59|24|2024|%");
  }

  @Test
  void offsetsAndZoneNamesAsPythonWritesThemForFixedOffsets() {
    LocalDateTime t = LocalDateTime.of(2026, 3, 1, 14, 5, 9);
    assertThat(Strftime.format(OffsetDateTime.of(t, ZoneOffset.ofHoursMinutes(5, 30)), "%z|%Z")).isEqualTo("+0530|UTC+05:30");
    assertThat(Strftime.format(OffsetDateTime.of(t, ZoneOffset.UTC), "%z|%Z")).isEqualTo("+0000|UTC");
    assertThat(Strftime.format(OffsetDateTime.of(t, ZoneOffset.ofHoursMinutesSeconds(-3, 0, -30)), "%z|%Z"))
        .isEqualTo("-030030|UTC-03:00:30");
    assertThat(Strftime.format(Instant.parse("2026-03-01T14:05:09Z"), "%Y-%m-%dT%H:%M:%S%z %Z")).isEqualTo("2026-03-01T14:05:09+0000 UTC");
  }

  @Test
  void aZonedValueUsesItsLocalTimeAndTheZonesShortName() {
    ZonedDateTime paris = ZonedDateTime.of(2026, 7, 1, 9, 0, 0, 0, ZoneId.of("Europe/Paris"));
    assertThat(Strftime.format(paris, "%H:%M %z")).isEqualTo("09:00 +0200");
    assertThat(Strftime.format(paris, "%Z")).isNotEmpty().doesNotContain("%");
  }

  @Test
  void aDateIsMidnightWithoutZoneAndUnknownOrTrailingPercentIsCopied() {
    // datetime.date(2026, 3, 1).strftime("%Y-%m-%d %H:%M:%S|%z|%Z|%q|%") == '2026-03-01 00:00:00|||%q|%'
    assertThat(Strftime.format(LocalDate.of(2026, 3, 1), "%Y-%m-%d %H:%M:%S|%z|%Z|%q|%")).isEqualTo("2026-03-01 00:00:00|||%q|%");
    assertThat(Strftime.format(LocalDate.of(2026, 3, 1), "no directives")).isEqualTo("no directives");
  }

  @Test
  void isoformatOffsetsHaveAColon() {
    assertThat(Strftime.offset(ZoneOffset.ofHoursMinutes(-9, -30), true)).isEqualTo("-09:30");
    assertThat(Strftime.offset(ZoneOffset.ofHoursMinutes(-9, -30), false)).isEqualTo("-0930");
  }
}
