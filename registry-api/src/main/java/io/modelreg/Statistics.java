package io.modelreg;

/** Welch's two-sample t-test, with the Student t distribution through the regularized incomplete beta. */
final class Statistics {
  private Statistics() {}

  static double mean(double[] xs) {
    double s = 0;
    for (double x : xs) {
      s += x;
    }
    return s / xs.length;
  }

  /** Sample variance (n - 1 in the denominator). */
  static double variance(double[] xs) {
    double m = mean(xs);
    double s = 0;
    for (double x : xs) {
      s += (x - m) * (x - m);
    }
    return s / (xs.length - 1);
  }

  /**
   * Two-sided p-value of Welch's t-test that the means of {@code a} and {@code b} are equal. Both need at
   * least two samples.
   */
  static double welchPValue(double[] a, double[] b) {
    double va = variance(a) / a.length;
    double vb = variance(b) / b.length;
    double diff = mean(a) - mean(b);
    double se = va + vb;
    if (se == 0) {
      return diff == 0 ? 1.0 : 0.0;
    }
    double t = diff / Math.sqrt(se);
    double df = se * se / (va * va / (a.length - 1) + vb * vb / (b.length - 1));
    return regularizedBeta(df / (df + t * t), df / 2, 0.5);
  }

  /** I_x(a, b) by its continued fraction (modified Lentz), using the symmetry for fast convergence. */
  static double regularizedBeta(double x, double a, double b) {
    if (x <= 0) {
      return 0;
    }
    if (x >= 1) {
      return 1;
    }
    if (x > (a + 1) / (a + b + 2)) {
      return 1 - regularizedBeta(1 - x, b, a);
    }
    double lnFront = logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x);
    double front = Math.exp(lnFront) / a;
    double tiny = 1e-300;
    double f = 1;
    double c = 1;
    double d = 0;
    for (int i = 0; i <= 400; i++) {
      int m = i / 2;
      double numerator;
      if (i == 0) {
        numerator = 1;
      } else if (i % 2 == 0) {
        numerator = (m * (b - m) * x) / ((a + 2.0 * m - 1) * (a + 2.0 * m));
      } else {
        numerator = -((a + m) * (a + b + m) * x) / ((a + 2.0 * m) * (a + 2.0 * m + 1));
      }
      d = 1 + numerator * d;
      if (Math.abs(d) < tiny) {
        d = tiny;
      }
      d = 1 / d;
      c = 1 + numerator / c;
      if (Math.abs(c) < tiny) {
        c = tiny;
      }
      double cd = c * d;
      f *= cd;
      if (Math.abs(1 - cd) < 1e-14) {
        break;
      }
    }
    return front * (f - 1);
  }

  /**
   * ln Γ(x) for x > 0: the recurrence Γ(x) = Γ(x + 1) / x up to x ≥ 10, then Stirling's series to the
   * x⁻⁷ term, which is accurate to about 1e-13 there.
   */
  static double logGamma(double x) {
    if (x <= 0) {
      throw new IllegalArgumentException("logGamma needs x > 0, got " + x);
    }
    double shift = 0;
    while (x < 10) {
      shift += Math.log(x);
      x += 1;
    }
    double inv = 1 / x;
    double inv2 = inv * inv;
    double series = inv * (1.0 / 12 - inv2 * (1.0 / 360 - inv2 * (1.0 / 1260 - inv2 / 1680)));
    return (x - 0.5) * Math.log(x) - x + 0.5 * Math.log(2 * Math.PI) + series - shift;
  }
}
