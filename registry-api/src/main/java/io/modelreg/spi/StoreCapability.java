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
  SHARED,
  /**
   * MLflow's Python client reads this store's prompt versions ({@code mlflow.genai.load_prompt}) and renders
   * only {@code {{ name }}} variables, so prompt layers refuse templates it would leave unrendered.
   */
  MLFLOW_PROMPTS
}
