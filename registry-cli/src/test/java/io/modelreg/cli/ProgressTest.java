package io.modelreg.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelreg.Ticker;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The progress bar redraws by the ticker it is given, never by the system's time. */
class ProgressTest {
  /** Time that moves only when the test says so. */
  static final class ManualTicker implements Ticker {
    long nanos = -5_000_000_000L; // an origin below zero, as System.nanoTime may have

    @Override
    public long nanoTime() {
      return nanos;
    }

    @Override
    public void sleep(Duration duration) {
      nanos += duration.toNanos();
    }
  }

  private static int draws(StringWriter out) {
    return (int) out.toString().chars().filter(c -> c == '\r').count();
  }

  @Test
  void redrawsAtMostOncePerTenthOfASecondOfTickerTimeAndAlwaysAtTheEnd() throws IOException {
    ManualTicker ticker = new ManualTicker();
    StringWriter out = new StringWriter();
    Progress progress = new Progress(new PrintWriter(out), ticker, "copying", 10, true);
    try (InputStream in = progress.wrap(new ByteArrayInputStream(new byte[10]))) {
      assertThat(in.read()).isZero();
      assertThat(draws(out)).as("the first byte draws the bar").isEqualTo(1);
      in.read();
      in.read();
      assertThat(draws(out)).as("no time passed: no redraw").isEqualTo(1);
      ticker.sleep(Duration.ofMillis(99));
      in.read();
      assertThat(draws(out)).isEqualTo(1);
      ticker.sleep(Duration.ofMillis(1));
      in.read();
      assertThat(draws(out)).as("a tenth of a second later").isEqualTo(2);
      assertThat(out.toString()).endsWith(" 50% 5 B of 10 B");
      in.readNBytes(5);
      assertThat(draws(out)).as("the last byte always draws").isEqualTo(3);
      assertThat(out.toString()).endsWith("100% 10 B of 10 B");
    }
  }

  @Test
  void drawsNothingWhenNotOnATerminal() throws IOException {
    StringWriter out = new StringWriter();
    Progress progress = new Progress(new PrintWriter(out), new ManualTicker(), "copying", 4, false);
    try (InputStream in = progress.wrap(new ByteArrayInputStream(new byte[4]))) {
      in.readAllBytes();
    }
    progress.finish();
    assertThat(out.toString()).isEmpty();
  }
}
