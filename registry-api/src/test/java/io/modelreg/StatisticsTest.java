package io.modelreg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class StatisticsTest {

  @Test
  void studentTailProbabilitiesMatchTables() {
    // two-sided p for |t| = 2.0 with 10 degrees of freedom is 0.07339; for 2.228 it is 0.05 (the 97.5% quantile)
    assertThat(Statistics.regularizedBeta(10 / (10 + 4.0), 5, 0.5)).isCloseTo(0.07339, within(1e-4));
    assertThat(Statistics.regularizedBeta(10 / (10 + 2.228 * 2.228), 5, 0.5)).isCloseTo(0.05, within(1e-4));
    // df = 1 is Cauchy: P(|T| > 1) = 0.5
    assertThat(Statistics.regularizedBeta(0.5, 0.5, 0.5)).isCloseTo(0.5, within(1e-9));
  }

  @Test
  void logGammaMatchesFactorials() {
    assertThat(Statistics.logGamma(5)).isCloseTo(Math.log(24), within(1e-10));
    assertThat(Statistics.logGamma(0.5)).isCloseTo(Math.log(Math.sqrt(Math.PI)), within(1e-10));
  }

  @Test
  void welchSeparatesDistinctSamplesAndNotEqualOnes() {
    double[] a = {0.80, 0.81, 0.79, 0.80};
    double[] b = {0.90, 0.91, 0.89, 0.90};
    assertThat(Statistics.welchPValue(a, b)).isLessThan(1e-5);
    assertThat(Statistics.welchPValue(a, a.clone())).isCloseTo(1.0, within(1e-9));
    double[] noisyA = {1, 5, 2, 8, 3};
    double[] noisyB = {2, 6, 1, 7, 4};
    assertThat(Statistics.welchPValue(noisyA, noisyB)).isGreaterThan(0.5);
    assertThat(Statistics.welchPValue(new double[] {1, 1}, new double[] {2, 2})).isZero();
  }
}
