package io.modelreg.mlflow;

import io.modelreg.testkit.RegistryCompatibilityKit;

/**
 * What the MLflow store declares to the compatibility kit, shared by the stand-in and the real-server runs:
 * no garbage collection (artifact runs belong to MLflow's own lifecycle) and fewer threads for a remote
 * backend.
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
