package io.modelreg;

/** The model exists but no version matches what the caller asked for (number, stage, alias or semver). */
public class VersionNotFoundException extends NotFoundException {
  private static final long serialVersionUID = 1L;

  public VersionNotFoundException(String message) {
    super(message);
  }
}
