package io.modelreg;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * A SHA-256 content digest, written {@code sha256:<64 lower-case hex digits>}.
 *
 * @param hex the 64 lower-case hex digits
 */
public record Digest(String hex) {
  private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");
  private static final String PREFIX = "sha256:";

  public Digest {
    if (!HEX64.matcher(hex).matches()) {
      throw new IllegalArgumentException("A SHA-256 digest is 64 lower-case hex digits, got '"
          + Names.printable(hex) + "'");
    }
  }

  /**
   * Parses {@code sha256:<hex>} or a bare 64-digit hex string.
   *
   * @throws IllegalArgumentException for another algorithm or malformed hex
   */
  public static Digest parse(String text) {
    String hex = text.startsWith(PREFIX) ? text.substring(PREFIX.length()) : text;
    if (hex.contains(":")) {
      throw new IllegalArgumentException("Unsupported digest '" + Names.printable(text) + "'; only sha256 is used");
    }
    return new Digest(hex);
  }

  /** The digest of raw bytes. */
  public static Digest of(byte[] bytes) {
    MessageDigest md = newSha256();
    return fromBytes(md.digest(bytes));
  }

  /** The digest of a file's content, read in 64 KiB chunks. */
  public static Digest ofFile(java.nio.file.Path file) throws java.io.IOException {
    MessageDigest md = newSha256();
    byte[] buf = new byte[1 << 16];
    try (java.io.InputStream in = java.nio.file.Files.newInputStream(file)) {
      int n;
      while ((n = in.read(buf)) >= 0) {
        md.update(buf, 0, n);
      }
    }
    return fromBytes(md.digest());
  }

  /** The digest of a UTF-8 string. */
  public static Digest ofUtf8(String text) {
    return of(text.getBytes(StandardCharsets.UTF_8));
  }

  /** Wraps the 32 bytes a SHA-256 {@link MessageDigest} produced. */
  public static Digest fromBytes(byte[] sha256) {
    if (sha256.length != 32) {
      throw new IllegalArgumentException("A SHA-256 digest is 32 bytes, got " + sha256.length);
    }
    return new Digest(HexFormat.of().formatHex(sha256));
  }

  /** A new SHA-256 message digest. */
  public static MessageDigest newSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("This JVM has no SHA-256", e);
    }
  }

  @Override
  public String toString() {
    return PREFIX + hex;
  }
}
