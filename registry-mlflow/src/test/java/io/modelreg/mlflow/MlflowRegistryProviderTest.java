package io.modelreg.mlflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.modelreg.ModelRegistries;
import io.modelreg.ModelRegistry;
import io.modelreg.Registration;
import io.modelreg.RegistryOptions;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MlflowRegistryProviderTest extends StandInServerTest {
  @Test
  void mlflowUriIsFoundByServiceLoaderAndTalksToTheServer() throws Exception {
    URI http = server.uri();
    try (ModelRegistry registry = ModelRegistries.open("mlflow://" + http.getAuthority())) {
      registry.register("iris", Registration.builder().bytes("model.onnx", "weights".getBytes(StandardCharsets.UTF_8)).build());
      registry.setAlias("iris", "champion", 1);
    }
    // A second client over plain http:// sees what the first wrote, bytes included.
    try (ModelRegistry registry = ModelRegistries.open(http.toString())) {
      var version = registry.resolve("models:/iris@champion");
      assertThat(version.number()).isEqualTo(1);
      try (InputStream in = registry.openArtifact(version, "model.onnx")) {
        assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("weights");
      }
    }
  }

  @Test
  void bareMlflowSchemeUsesTheTrackingUriFromTheEnvironment() {
    var provider = new MlflowRegistryProvider(Map.of("MLFLOW_TRACKING_URI", server.uri() + "/"));
    assertThat(MlflowRegistryProvider.base(URI.create("mlflow:/"), Map.of("MLFLOW_TRACKING_URI", "https://ml.example.com/x/")))
        .hasToString("https://ml.example.com/x");
    try (var store = provider.open(URI.create("mlflow:/"), RegistryOptions.defaults())) {
      assertThat(store.describe()).isEqualTo(server.uri().toString());
      assertThat(store.listModelNames()).isEmpty();
    }
  }

  @Test
  void schemesMapToHttpAndHttps() {
    assertThat(MlflowRegistryProvider.base(URI.create("mlflow://h:5000"), Map.of())).hasToString("http://h:5000");
    assertThat(MlflowRegistryProvider.base(URI.create("mlflow+https://h/ml"), Map.of())).hasToString("https://h/ml");
  }

  @Test
  void badUrisAndOptionsAreRejectedWithWhatIsAllowed() {
    var provider = new MlflowRegistryProvider(Map.of());
    assertThatThrownBy(() -> provider.open(URI.create("mlflow:/"), RegistryOptions.defaults()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("MLFLOW_TRACKING_URI");
    assertThatThrownBy(() -> provider.open(URI.create("http:relative"), RegistryOptions.defaults()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("names no server");
    assertThatThrownBy(() -> provider.open(server.uri(),
        RegistryOptions.builder().storeOption("mlflow.request-timeout", "30 seconds").build()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ISO-8601").hasMessageContaining("PT30S");
    assertThatThrownBy(() -> provider.open(server.uri(),
        RegistryOptions.builder().storeOption("mlflow.max-attempts", "0").build()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1 to 20");
    assertThatThrownBy(() -> provider.open(server.uri(),
        RegistryOptions.builder().storeOption("mlflow.upload-memory-mib", "2048").build()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0 to 1024").hasMessageContaining("'2048'");
    assertThatThrownBy(() -> provider.open(server.uri(),
        RegistryOptions.builder().storeOption("mlflow.upload-memory-mib", "16MB").build()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("mlflow.upload-memory-mib");
    assertThatThrownBy(() -> provider.open(server.uri(),
        RegistryOptions.builder().storeOption("mlflow.version-cache-ttl", "-PT1S").build()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("zero or positive");
    assertThatThrownBy(() -> provider.open(server.uri(),
        RegistryOptions.builder().storeOption("mlflow.request-timeout", "PT0S").build()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must be positive");
    provider.open(server.uri(), RegistryOptions.builder().storeOption("mlflow.version-cache-ttl", "PT0S").build()).close();
  }
}
