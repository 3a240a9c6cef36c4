package io.modelreg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class VersionRangeTest {

  @ParameterizedTest
  @CsvSource({
    "^1.4.2, 1.4.2, 2.0.0",
    "^1.4, 1.4.0, 2.0.0",
    "^1, 1.0.0, 2.0.0",
    "^0.4.2, 0.4.2, 0.5.0",
    "^0.4, 0.4.0, 0.5.0",
    "^0.0.3, 0.0.3, 0.0.4",
    "^0, 0.0.0, 1.0.0",
    "~1.4.2, 1.4.2, 1.5.0",
    "~1.4, 1.4.0, 1.5.0",
    "~1, 1.0.0, 2.0.0",
    "~0.0.3, 0.0.3, 0.1.0"
  })
  void boundsFollowNpm(String range, String lower, String upper) {
    VersionRange r = VersionRange.parse(range);
    assertThat(r.lower()).hasToString(lower);
    assertThat(r.upper()).hasToString(upper);
  }

  @ParameterizedTest
  @CsvSource({
    "^1.4, 1.4.0, true",
    "^1.4, 1.9.9, true",
    "^1.4, 2.0.0, false",
    "^1.4, 1.3.9, false",
    "^1.4, 1.5.0-beta, false",
    "^1.4, 2.0.0-rc.1, false",
    "^1.4.0-rc.1, 1.4.0-rc.2, true",
    "^1.4.0-rc.1, 1.4.0, true",
    "^1.4.0-rc.1, 1.4.1-rc.1, false",
    "~1.4.0, 1.4.9, true",
    "~1.4.0, 1.5.0, false"
  })
  void matches(String range, String version, boolean expected) {
    assertThat(VersionRange.parse(range).matches(SemanticVersion.parse(version))).isEqualTo(expected);
  }

  @ParameterizedTest
  @ValueSource(strings = {"1.4", "^", "^1.2.3.4", "^1.x", "~1.2-rc.1", ">=1.0.0"})
  void rejectsMalformed(String text) {
    assertThatThrownBy(() -> VersionRange.parse(text)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Invalid version range");
  }
}
