package io.modelreg;

/**
 * A change lost a race: the record was modified by another writer since it was read. The registry
 * retries such races itself a bounded number of times; callers see this only when contention persists.
 * Re-read and retry.
 */
public class ConflictException extends RegistryException {
  private static final long serialVersionUID = 1L;

  public ConflictException(String message) {
    super(message);
  }
}
