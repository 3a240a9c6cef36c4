package io.modelreg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SemanticVersionTest {

  @Test
  void parsesEveryPart() {
    SemanticVersion v = SemanticVersion.parse("1.22.333-alpha.7.x-y+build.5.sha-1");
    assertThat(v.major()).isEqualTo(1);
    assertThat(v.minor()).isEqualTo(22);
    assertThat(v.patch()).isEqualTo(333);
    assertThat(v.preRelease()).containsExactly("alpha", "7", "x-y");
    assertThat(v.build()).containsExactly("build", "5", "sha-1");
    assertThat(v).hasToString("1.22.333-alpha.7.x-y+build.5.sha-1");
  }

  @Test
  void ordersByTheSpecsPrecedenceExample() {
    List<String> ordered = List.of("1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2",
        "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "1.0.1", "1.1.0", "2.0.0", "10.0.0");
    List<SemanticVersion> shuffled = new ArrayList<>();
    for (String s : ordered) {
      shuffled.add(SemanticVersion.parse(s));
    }
    Collections.reverse(shuffled);
    Collections.sort(shuffled);
    assertThat(shuffled).extracting(Object::toString).containsExactlyElementsOf(ordered);
  }

  @Test
  void buildMetadataDoesNotAffectPrecedenceButEquality() {
    SemanticVersion a = SemanticVersion.parse("1.0.0+a");
    SemanticVersion b = SemanticVersion.parse("1.0.0+b");
    assertThat(a.compareTo(b)).isZero();
    assertThat(a).isNotEqualTo(b);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
    "1.2|position 3|expected '.' after the minor number",
    "01.2.3|position 0|leading zero",
    "1.2.3-01|position 6|leading zero",
    "1.2.3-|position 6|empty pre-release identifier",
    "1.2.3-a..b|position 8|empty pre-release identifier",
    "v1.2.3|position 0|leading 'v'",
    "1.2.3.4|position 5|unexpected '.'",
    "1.x.3|position 2|expected the minor number",
    "1.2.3+|position 6|empty build metadata identifier",
    "1.2.3-a_b|position 7|unexpected '_'"
  })
  void rejectsWithPositionAndReason(String text, String position, String reason) {
    assertThatThrownBy(() -> SemanticVersion.parse(text)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(position).hasMessageContaining(reason);
  }

  @ParameterizedTest
  @ValueSource(strings = {"0.0.0", "1.0.0-0A.is.legal", "1.0.0+0.build.1-rc.10000aaa-kk-0.1", "1.0.0-x.7.z.92"})
  void acceptsValidEdgeCases(String text) {
    assertThat(SemanticVersion.parse(text)).hasToString(text);
  }

  @Test
  void bumps() {
    SemanticVersion v = SemanticVersion.parse("1.4.2");
    assertThat(v.nextMajor()).hasToString("2.0.0");
    assertThat(v.nextMinor()).hasToString("1.5.0");
    assertThat(v.nextPatch()).hasToString("1.4.3");
    assertThat(SemanticVersion.parse("1.5.0-rc.1").nextPatch()).hasToString("1.5.0");
  }
}
