package io.modelreg.mlflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.modelreg.ModelRegistries;
import io.modelreg.ModelRegistry;
import io.modelreg.ModelVersion;
import io.modelreg.Registration;
import io.modelreg.RegistryOptions;
import io.modelreg.TransientRegistryException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * MLflow restarts numbering when a model is deleted and created again; the registry does not. Checked on the
 * raw REST answers: what another MLflow client sees after a re-creation.
 */
class MlflowNumberingTest extends StandInServerTest {
  private ModelRegistry registry;

  @BeforeEach
  void start() throws Exception {
    registry = ModelRegistries.open(server.uri().toString());
  }

  @AfterEach
  void stop() {
    registry.close();
  }

  private ModelVersion register(String name) {
    return registry.register(name, Registration.builder().bytes("model.bin", new byte[] {1}).build());
  }

  private List<String> mlflowVersions(String name) {
    List<String> out = new ArrayList<>();
    JsonNode page = MlflowStoreCompatibilityTest.httpOn(server.uri()).get("model-versions/search",
        MlflowHttp.params("filter", "name='" + name + "'"));
    page.path("model_versions").forEach(v -> out.add(v.path("version").asText() + ":" + v.path("source").asText()));
    return out;
  }

  @Test
  void aRecreatedModelContinuesAfterTheHighestNumberEvenADeletedOne() {
    register("m");
    register("m");
    register("m");
    registry.deleteVersion("m", 3);
    registry.deleteModel("m");
    assertThat(mlflowVersions("m")).isEmpty();

    assertThat(register("m").number()).isEqualTo(4);
    // the placeholders are gone; MLflow clients see one version
    assertThat(mlflowVersions("m")).hasSize(1).allSatisfy(v -> assertThat(v).startsWith("4:mlflow-artifacts:"));

    registry.deleteModel("m");
    registry.createModel("m");
    assertThat(register("m").number()).isEqualTo(5);
    assertThat(registry.history("m")).isNotEmpty();
  }

  @Test
  void aReCreationCutOffWhileUsingUpOldNumbersIsTakenBackAndARetryCompletesIt() {
    register("m");
    register("m");
    register("m");
    registry.deleteModel("m");
    try (ModelRegistry oneAttempt = ModelRegistries.open(server.uri().toString(),
        RegistryOptions.builder().storeOption("mlflow.max-attempts", "1").build())) {
      server.failMatching = r -> r.startsWith("DELETE ") && r.contains("model-versions/delete") && r.contains("\"2\"");
      assertThatThrownBy(() -> oneAttempt.register("m", Registration.builder().bytes("model.bin", new byte[] {2}).build()))
          .isInstanceOf(TransientRegistryException.class);
      server.failMatching = null;
      assertThat(oneAttempt.findModel("m")).isEmpty();
      assertThat(oneAttempt.register("m", Registration.builder().bytes("model.bin", new byte[] {2}).build()).number())
          .isEqualTo(4);
    }
  }

  @Test
  void aModelDeletedBeforeItHadVersionsStartsAtOne() {
    registry.createModel("empty");
    registry.deleteModel("empty");
    assertThat(register("empty").number()).isEqualTo(1);
  }
}
