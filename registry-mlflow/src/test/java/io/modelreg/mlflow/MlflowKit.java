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
}
