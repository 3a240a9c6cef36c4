package io.modelreg.inference.pool;

/**
 * How many bytes a {@link ModelPool} may fill with loaded models.
 *
 * <ul>
 *   <li>{@link #bytes(long)}: exactly this many.
 *   <li>{@link #fractionOfPhysical(double, PlatformFacts)}: a share of physical memory.
 *   <li>{@link #automatic(PlatformFacts)}: on unified-memory machines (Apple Silicon, where CPU and GPU share
 *       RAM) the lower of the GPU working-set limit and the available memory; elsewhere the available memory;
 *       in both cases minus the JVM's maximum heap and a headroom of 5 % of physical memory (at least 256
 *       MiB), never below zero.
 * </ul>
 *
 * @param limit the budget in bytes
 * @param explanation how it was computed, for logs and snapshots
 */
public record MemoryBudget(long limit, String explanation) {
  public MemoryBudget {
    if (limit < 0) {
      throw new IllegalArgumentException("A memory budget cannot be negative: " + limit);
    }
  }

  public static MemoryBudget bytes(long bytes) {
    return new MemoryBudget(bytes, "explicit " + bytes + " bytes");
  }

  public static MemoryBudget fractionOfPhysical(double fraction, PlatformFacts facts) {
    if (!(fraction > 0 && fraction <= 1)) {
      throw new IllegalArgumentException("The fraction must be in (0, 1], got " + fraction);
    }
    return new MemoryBudget((long) (facts.totalPhysical() * fraction), fraction + " of " + facts.totalPhysical()
        + " bytes of physical memory");
  }

  /** The headroom kept free: 5 % of physical memory, at least 256 MiB. */
  public static long headroom(PlatformFacts facts) {
    return Math.max(256L << 20, facts.totalPhysical() / 20);
  }

  public static MemoryBudget automatic(PlatformFacts facts) {
    long headroom = headroom(facts);
    long base;
    String how;
    if (facts.unifiedMemory() && facts.gpuWorkingSetLimit().isPresent()) {
      long gpu = facts.gpuWorkingSetLimit().getAsLong();
      base = Math.min(gpu, facts.availablePhysical());
      how = "unified memory: min(GPU working set " + gpu + ", available " + facts.availablePhysical() + ")";
    } else {
      base = facts.availablePhysical();
      how = "available memory " + base;
    }
    long limit = Math.max(0, base - facts.maxHeap() - headroom);
    return new MemoryBudget(limit, how + " - max heap " + facts.maxHeap() + " - headroom " + headroom);
  }
}
