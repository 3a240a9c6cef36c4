package io.modelreg.inference.pool;

import io.modelreg.TransientRegistryException;

/**
 * A request the pool could not serve in time because the memory budget was held by models in use. Transient:
 * the same request later, when leases have ended, can succeed. {@link #reason()} says why it gave up.
 */
public final class PoolOverloadedException extends TransientRegistryException {
  private static final long serialVersionUID = 1L;

  /** Why the request was refused. */
  public enum Reason {
    /** The request waited for room until its deadline passed. */
    DEADLINE_PASSED,
    /** The wait queue was full, so the request did not wait at all. */
    QUEUE_FULL,
    /** The waiting thread was interrupted. */
    INTERRUPTED
  }

  private final Reason reason;
  private final long waitedNanos;

  PoolOverloadedException(Reason reason, String message, long waitedNanos) {
    super(message, null);
    this.reason = reason;
    this.waitedNanos = waitedNanos;
  }

  public Reason reason() {
    return reason;
  }

  /** How long the request waited before it was refused, by the pool's ticker; zero for a full queue. */
  public long waitedNanos() {
    return waitedNanos;
  }
}
