package io.modelreg.inference.pool;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads this process's resident memory, to measure what a model costs once loaded and warmed up.
 * {@link #linux()} reads {@code VmRSS} from {@code /proc/self/status}; elsewhere {@link #unavailable()}
 * answers -1 and the pool keeps its prediction.
 */
@FunctionalInterface
public interface MemoryProbe {
  /** Resident bytes, or -1 when unknown. */
  long residentBytes();

  static MemoryProbe linux() {
    return () -> {
      try {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"), StandardCharsets.US_ASCII)) {
          if (line.startsWith("VmRSS:")) {
            return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
          }
        }
      } catch (IOException | RuntimeException e) {
        return -1;
      }
      return -1;
    };
  }

  static MemoryProbe unavailable() {
    return () -> -1;
  }

  /** The probe for this machine. */
  static MemoryProbe detect() {
    return Files.isReadable(Path.of("/proc/self/status")) ? linux() : unavailable();
  }
}
