package io.modelreg.mlflow;

import io.modelreg.testkit.RegistryCompatibilityKit;

/**
 * What the MLflow store declares to the compatibility kit, shared by the stand-in and the real-server runs:
 * fewer threads for a remote backend, and no content-addressed garbage collection: a version's files are its
 * own copies in its MLflow run and gc counts runs, so the kit's gc expectations (shared bytes freed once) do
 * not apply; {@link MlflowGcTest} checks what gc does here.
 */
abstract class MlflowKit extends RegistryCompatibilityKit {
  @Override
  protected boolean collectsGarbage() {
    return false;
  }

  @Override
  protected int concurrency() {
    return 4;
  }

  /**
   * Not yet: a store instance treats a revision or event slot it holds as its own to take again (so a write
   * cut off midway can be repeated), so two threads of one instance writing one model can both take the same
   * slot and one update is lost. Two registries each on their own store (the usual case: every
   * {@code ModelRegistries.open} opens one) are kept apart and checked. See registry-mlflow's README.
   */
  @Override
  protected boolean oneStoreManyWriters() {
    return false;
  }
}
