package io.modelreg;

import java.nio.charset.StandardCharsets;

/**
 * Maps a key (a user id, a session) to a stable number in {@code [0, 1)}, the same in every JVM and
 * release: FNV-1a over the key's UTF-8 bytes, then a 64-bit finaliser. Weighted splits use it so a caller
 * stays on one arm of an A/B test.
 */
public final class StickyHash {
  private StickyHash() {}

  /** A uniform value in {@code [0, 1)} for {@code key}. */
  public static double unit(String key) {
    long h = 0xcbf29ce484222325L;
    for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
      h ^= b & 0xff;
      h *= 0x100000001b3L;
    }
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    h ^= h >>> 33;
    return (h >>> 11) * 0x1.0p-53;
  }
}
