package io.modelreg.prompts;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PyFormatTest {

  @Test
  void theFastFixedPointPathAgreesWithExactRoundingEverywhere() {
    SplittableRandom random = new SplittableRandom(20261122);
    for (int i = 0; i < 200_000; i++) {
      double v = switch (i % 4) {
        case 0 -> random.nextDouble() * 1000;
        case 1 -> Math.round(random.nextDouble() * 1e6) / 1000.0 + 0.0005; // near half-way cases
        case 2 -> random.nextDouble() * Math.pow(10, random.nextInt(16));
        default -> random.nextInt(100_000) / 8.0; // exact binary halves
      };
      int precision = random.nextInt(8);
      String exact = new BigDecimal(v).setScale(precision, RoundingMode.HALF_EVEN).toPlainString();
      assertThat(PyFormat.fixedPoint(v, precision)).as("%s to %d places", v, precision).isEqualTo(exact);
    }
  }

  @Test
  void groupingPadsWithZerosAndSeparatorsLikeCPython() {
    assertThat(PyFormat.group("1234", ',', 3, 0)).isEqualTo("1,234");
    assertThat(PyFormat.group("1234", ',', 3, 8)).isEqualTo("0,001,234");
    assertThat(PyFormat.group("ff", '_', 4, 0)).isEqualTo("ff");
    assertThat(PyFormat.group("123456789", '_', 4, 0)).isEqualTo("1_2345_6789");
  }
}
