package io.modelreg.cli;

import io.modelreg.Ticker;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.Locale;

/**
 * A one-line progress bar on stderr, redrawn at most ten times a second by the command's {@link Ticker};
 * silent when not on a terminal.
 */
final class Progress {
  static final long REDRAW_NANOS = 100_000_000L;

  private final PrintWriter err;
  private final Ticker ticker;
  private final String label;
  private final long total;
  private final boolean enabled;
  private long done;
  private long lastDraw;
  private boolean drawn;

  Progress(PrintWriter err, Ticker ticker, String label, long total, boolean enabled) {
    this.err = err;
    this.ticker = ticker;
    this.label = label;
    this.total = Math.max(total, 1);
    this.enabled = enabled;
  }

  InputStream wrap(InputStream in) {
    return new FilterInputStream(in) {
      @Override
      public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
          advance(1);
        }
        return b;
      }

      @Override
      public int read(byte[] buf, int off, int len) throws IOException {
        int n = super.read(buf, off, len);
        if (n > 0) {
          advance(n);
        }
        return n;
      }
    };
  }

  private synchronized void advance(long n) {
    done += n;
    long now = ticker.nanoTime();
    if (enabled && (!drawn || now - lastDraw >= REDRAW_NANOS || done >= total)) {
      drawn = true;
      lastDraw = now;
      int width = 30;
      int filled = (int) (width * Math.min(1.0, (double) done / total));
      err.printf(Locale.ROOT, "\r%s [%s%s] %3d%% %s of %s", label, "=".repeat(filled), " ".repeat(width - filled),
          (int) (100 * Math.min(1.0, (double) done / total)), size(done), size(total));
      err.flush();
    }
  }

  void finish() {
    if (enabled) {
      err.println();
      err.flush();
    }
  }

  static String size(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    if (bytes < 1 << 20) {
      return String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0);
    }
    if (bytes < 1L << 30) {
      return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }
    return String.format(Locale.ROOT, "%.2f GiB", bytes / 1073741824.0);
  }
}
