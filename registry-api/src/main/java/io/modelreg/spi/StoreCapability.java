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
  MLFLOW_PROMPTS,
  /**
   * {@link RegistryStore#registerVersion} checks in the same atomic write that makes the version that the model
   * exists, and refuses an absent one with {@link io.modelreg.ModelNotFoundException} having written nothing. The
   * policy layer then registers a version without semver without reading the model first (on a remote store one
   * request less per registration), and creates the model and registers again only when the store refused. A
   * store whose {@code registerVersion} may write anything before it finds the model absent (the default one
   * allocates a number first) must not declare it.
   */
  REGISTER_CHECKS_MODEL
}
