/**
 * The MLflow backend: {@link io.modelreg.mlflow.MlflowHttp} speaks MLflow's REST API and artifact proxy
 * with bounded retries and MLflow's error codes mapped to the registry's exceptions.
 */
@NullMarked
package io.modelreg.mlflow;

import org.jspecify.annotations.NullMarked;
