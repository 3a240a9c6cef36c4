package io.modelreg;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;

/**
 * Passes bytes through while counting and hashing them; at the end of the stream it checks size and
 * SHA-256 against the manifest entry and throws {@link IntegrityException} on a mismatch. Too many bytes
 * fail as soon as they arrive.
 */
final class VerifyingInputStream extends FilterInputStream {
  private final ArtifactEntry entry;
  private final String subject;
  private final MessageDigest md = Digest.newSha256();
  private long count;
  private boolean verified;

  VerifyingInputStream(InputStream in, ArtifactEntry entry, String subject) {
    super(in);
    this.entry = entry;
    this.subject = subject;
  }

  @Override
  public int read() throws IOException {
    int b = super.read();
    if (b < 0) {
      verify();
    } else {
      md.update((byte) b);
      advance(1);
    }
    return b;
  }

  @Override
  public int read(byte[] buf, int off, int len) throws IOException {
    int n = super.read(buf, off, len);
    if (n < 0) {
      verify();
    } else if (n > 0) {
      md.update(buf, off, n);
      advance(n);
    }
    return n;
  }

  @Override
  public long skip(long n) throws IOException {
    // Skipping would bypass the hash; read and discard instead.
    byte[] scratch = new byte[8192];
    long left = n;
    while (left > 0) {
      int r = read(scratch, 0, (int) Math.min(scratch.length, left));
      if (r < 0) {
        break;
      }
      left -= r;
    }
    return n - left;
  }

  @Override
  public boolean markSupported() {
    return false;
  }

  private void advance(int n) {
    count += n;
    if (count > entry.size()) {
      throw new IntegrityException(subject + ": more than the recorded " + entry.size() + " bytes");
    }
  }

  private void verify() {
    if (verified) {
      return;
    }
    verified = true;
    if (count != entry.size()) {
      throw new IntegrityException(subject + ": " + count + " bytes stored, " + entry.size() + " recorded");
    }
    Digest actual = Digest.fromBytes(md.digest());
    if (!actual.equals(entry.digest())) {
      throw new IntegrityException(subject + ": content digest " + actual + " does not match the recorded "
          + entry.digest());
    }
  }
}
