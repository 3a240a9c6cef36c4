package io.modelreg.inference.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** The facts about this machine and JVM that a benchmark's numbers depend on. */
public final class BenchConditions {
  private BenchConditions() {}

  /**
   * {@code cpu} (the model name from {@code /proc/cpuinfo} on Linux, else {@code os.arch}), {@code cores}
   * (processors available to the JVM), {@code os}, {@code jdk} ({@code java.runtime.version}) and
   * {@code jvm} (vendor and VM name).
   */
  public static Map<String, String> machine() {
    Map<String, String> out = new LinkedHashMap<>();
    out.put("cpu", cpuModel(Path.of("/proc/cpuinfo")));
    out.put("cores", Integer.toString(Runtime.getRuntime().availableProcessors()));
    out.put("os", System.getProperty("os.name", "?") + " " + System.getProperty("os.version", "") + " "
        + System.getProperty("os.arch", ""));
    out.put("jdk", System.getProperty("java.runtime.version", System.getProperty("java.version", "?")));
    out.put("jvm", System.getProperty("java.vm.vendor", "?") + " " + System.getProperty("java.vm.name", ""));
    return out;
  }

  /** The first {@code model name} line of a cpuinfo file, else {@code os.arch}. */
  static String cpuModel(Path cpuinfo) {
    try {
      for (String line : Files.readAllLines(cpuinfo, StandardCharsets.UTF_8)) {
        if (line.startsWith("model name")) {
          int colon = line.indexOf(':');
          if (colon > 0) {
            return line.substring(colon + 1).strip();
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux, or not readable: the architecture is the best we know
    }
    return System.getProperty("os.arch", "unknown");
  }
}
