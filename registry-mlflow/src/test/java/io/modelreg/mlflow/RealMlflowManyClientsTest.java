package io.modelreg.mlflow;

import java.net.URI;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/**
 * {@link MlflowManyClientsTest} against a real MLflow server ({@code MODELREG_IT_MLFLOW_URI}, a throwaway one:
 * every registered model on it is deleted first): the write-once params the compare-and-set is made of, as a
 * real server refuses a changed param.
 */
@EnabledIfEnvironmentVariable(named = "MODELREG_IT_MLFLOW_URI", matches = ".+")
class RealMlflowManyClientsTest extends MlflowManyClientsTest {
  @BeforeEach
  void cleanServer() {
    RealMlflowServerCompatibilityTest.deleteEveryModel();
  }

  @Override
  protected URI uri() {
    return RealMlflowServerCompatibilityTest.server();
  }
}
