package io.modelreg.inference.pool;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.OptionalLong;

/**
 * What the machine offers, for {@link MemoryBudget#automatic}. {@link #detect()} reads the running
 * machine; tests and unusual deployments build their own.
 *
 * @param os the operating system name ({@code os.name})
 * @param arch the CPU architecture ({@code os.arch})
 * @param totalPhysical total physical memory in bytes
 * @param availablePhysical memory the system can give without swapping (Linux {@code MemAvailable})
 * @param gpuWorkingSetLimit the GPU working-set limit on unified-memory machines, when known
 * @param maxHeap the JVM's maximum heap ({@code Runtime.maxMemory()})
 */
public record PlatformFacts(String os, String arch, long totalPhysical, long availablePhysical,
    OptionalLong gpuWorkingSetLimit, long maxHeap) {

  /** Whether CPU and GPU share memory: Apple Silicon (macOS on arm64/aarch64). */
  public boolean unifiedMemory() {
    String o = os.toLowerCase(Locale.ROOT);
    String a = arch.toLowerCase(Locale.ROOT);
    return (o.contains("mac") || o.contains("darwin")) && (a.equals("aarch64") || a.equals("arm64"));
  }

  /**
   * Reads this machine: physical memory from the JVM's operating-system bean, available memory from {@code
   * /proc/meminfo} on Linux (else the bean's free memory), and on Apple Silicon the GPU working-set limit:
   * {@code sysctl iogpu.wired_limit_mb} when set, else Metal's default share of RAM (75 % from 36 GiB up,
   * 66 % below), which is what {@code recommendedMaxWorkingSetSize} reports on those machines.
   */
  public static PlatformFacts detect() {
    com.sun.management.OperatingSystemMXBean bean =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    long total = bean.getTotalMemorySize();
    long available = bean.getFreeMemorySize();
    try {
      for (String line : Files.readAllLines(Path.of("/proc/meminfo"), StandardCharsets.US_ASCII)) {
        if (line.startsWith("MemAvailable:")) {
          available = Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux: keep the bean's free memory
    }
    PlatformFacts base = new PlatformFacts(System.getProperty("os.name", ""), System.getProperty("os.arch", ""), total,
        available, OptionalLong.empty(), Runtime.getRuntime().maxMemory());
    if (!base.unifiedMemory()) {
      return base;
    }
    long limit = total >= 36L << 30 ? total / 4 * 3 : total / 100 * 66;
    try {
      Process p = new ProcessBuilder("sysctl", "-n", "iogpu.wired_limit_mb").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
      if (p.waitFor() == 0 && out.matches("[0-9]+") && Long.parseLong(out) > 0) {
        limit = Long.parseLong(out) << 20;
      }
    } catch (IOException | InterruptedException e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
    }
    return new PlatformFacts(base.os(), base.arch(), total, available, OptionalLong.of(limit), base.maxHeap());
  }
}
