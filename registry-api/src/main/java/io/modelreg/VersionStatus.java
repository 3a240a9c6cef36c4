package io.modelreg;

/**
 * Registration status of a model version. Versions registered through the policy layer appear only
 * once all their artifacts are stored, so they are {@link #READY}; the other values come from backends
 * that register asynchronously (MLflow's {@code PENDING_REGISTRATION} / {@code FAILED_REGISTRATION}).
 * Only READY versions are resolved by URI.
 */
public enum VersionStatus {
  PENDING,
  READY,
  FAILED
}
