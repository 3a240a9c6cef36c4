package io.modelreg.mlflow;

import java.net.URI;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/**
 * {@link MlflowAliasResolveTest} against a real MLflow server ({@code MODELREG_IT_MLFLOW_URI}): what {@code
 * registered-models/alias} really answers (the version's tags, {@code current_stage} and aliases) serves the same
 * views as the full read. Requests are not counted here (P8RealCounts counts them on a real server).
 */
@EnabledIfEnvironmentVariable(named = "MODELREG_IT_MLFLOW_URI", matches = ".+")
class RealMlflowAliasResolveTest extends MlflowAliasResolveTest {
  @Override
  protected URI uri() {
    return RealMlflowServerCompatibilityTest.server();
  }

  @Override
  protected @Nullable Integer requestsFor(Runnable r) {
    r.run();
    return null;
  }
}
