package io.modelreg.mlflow;

import io.modelreg.RegistryOptions;
import io.modelreg.spi.RegistryStore;
import java.net.URI;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/**
 * The compatibility kit against a real MLflow server, opt-in: set {@code MODELREG_IT_MLFLOW_URI} (for example
 * {@code http://127.0.0.1:5000} after {@code mlflow server --backend-store-uri sqlite:///mlflow.db --port
 * 5000}). <b>Use a throwaway server:</b> every test starts by deleting all registered models on it. Each
 * test keeps its history in its own experiment, so history from earlier tests does not leak in. Credentials
 * come from the usual {@code MLFLOW_TRACKING_*} variables.
 */
@EnabledIfEnvironmentVariable(named = "MODELREG_IT_MLFLOW_URI", matches = ".+")
class RealMlflowServerCompatibilityTest extends MlflowKit {
  private final Map<RegistryStore, String> historyOf = new IdentityHashMap<>();

  private static URI server() {
    return URI.create(System.getenv("MODELREG_IT_MLFLOW_URI").trim());
  }

  private RegistryStore open(String history) {
    RegistryStore store = new MlflowRegistryProvider().open(server(),
        RegistryOptions.builder().storeOption("mlflow.history-experiment", history).build());
    historyOf.put(store, history);
    return store;
  }

  @Override
  protected RegistryStore newStore() {
    RegistryStore store = open("modelreg-kit-" + UUID.randomUUID());
    for (String name : store.listModelNames()) {
      store.deleteModel(name);
    }
    return store;
  }

  @Override
  protected Optional<RegistryStore> secondClient(RegistryStore store) {
    String history = historyOf.get(store);
    return history == null ? Optional.empty() : Optional.of(open(history));
  }
}
