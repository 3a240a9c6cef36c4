package io.modelreg;

import org.jspecify.annotations.Nullable;

/**
 * Root of every exception the registry throws for a failure that is not a caller mistake.
 *
 * <p>The hierarchy is grouped by what the caller can do about it: {@link NotFoundException} (ask for
 * something else), {@link AlreadyExistsException} (use the existing thing), {@link ConflictException}
 * (re-read and retry the change), {@link PromotionRejectedException} (meet the listed rules first),
 * {@link IntegrityException} (the stored bytes are damaged: do not use them) and {@link
 * TransientRegistryException} (retry later). Caller mistakes are {@link IllegalArgumentException}.
 * Backends translate their native errors at their edge and keep the cause.
 */
public class RegistryException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public RegistryException(String message) {
    super(message);
  }

  public RegistryException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }
}
