package io.modelreg.spi;

/** Facts about a store that the policy layer and the compatibility kit adapt to. */
public enum StoreCapability {
  /**
   * {@link RegistryStore#withModelLock} excludes writers in other processes too, so multi-step writes on
   * one model never interleave. Without it the policy still relies on revision checks.
   */
  EXCLUSIVE_MODEL_LOCK,
  /** Data survives the process (files, a server). */
  DURABLE,
  /** Several clients (processes, hosts) may open the same data at once. */
  SHARED
}
