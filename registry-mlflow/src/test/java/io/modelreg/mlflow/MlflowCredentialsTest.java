package io.modelreg.mlflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.modelreg.ModelRegistries;
import io.modelreg.ModelRegistry;
import io.modelreg.Registration;
import io.modelreg.RegistryException;
import io.modelreg.RegistryOptions;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.mlflow.tracking.creds.BasicMlflowHostCreds;
import org.mlflow.tracking.creds.MlflowHostCreds;
import org.mlflow.tracking.creds.MlflowHostCredsProvider;

/** Credentials through mlflow-client's provider interface: from the environment, from code, refreshed on 401. */
class MlflowCredentialsTest extends StandInServerTest {
  /** A provider whose token expires: it hands out "old" until refreshed, then "new". */
  private static final class RotatingToken implements MlflowHostCredsProvider {
    final AtomicInteger refreshes = new AtomicInteger();
    private final String host;

    RotatingToken(URI host) {
      this.host = host.toString();
    }

    @Override
    public MlflowHostCreds getHostCreds() {
      return new BasicMlflowHostCreds(host, refreshes.get() == 0 ? "old" : "new");
    }

    @Override
    public void refresh() {
      refreshes.incrementAndGet();
    }
  }

  @Test
  void anExpiredTokenIsRefreshedOnceAndTheRequestRepeated() {
    server.requiredAuthorization = "Bearer new";
    RotatingToken creds = new RotatingToken(server.uri());
    try (ModelRegistry registry = MlflowRegistries.open(server.uri().toString(), creds, RegistryOptions.defaults())) {
      registry.register("m", Registration.builder().bytes("model.bin", new byte[] {1}).build());
      registry.setAlias("m", "champion", 1);
      assertThat(registry.resolve("models:/m@champion").number()).isEqualTo(1);
    }
    assertThat(creds.refreshes).hasValue(1);
  }

  @Test
  void refusedCredentialsFailAtOnceWithoutShowingThem() {
    server.requiredAuthorization = "Bearer right";
    MlflowHostCredsProvider wrong = new BasicMlflowHostCreds(server.uri().toString(), "wr0ng-t0ken");
    try (ModelRegistry registry = MlflowRegistries.open(server.uri().toString(), wrong, RegistryOptions.defaults())) {
      assertThatThrownBy(() -> registry.findModel("m")).isInstanceOf(RegistryException.class)
          .hasMessageContaining("401").hasMessageContaining("refused").hasMessageNotContaining("wr0ng-t0ken");
    }
    int before = server.requests.get();
    try (ModelRegistry anonymous = ModelRegistries.create(new MlflowRegistryProvider(Map.of()).open(server.uri(),
        RegistryOptions.defaults()), RegistryOptions.defaults())) {
      assertThatThrownBy(() -> anonymous.findModel("m")).isInstanceOf(RegistryException.class)
          .hasMessageContaining("MLFLOW_TRACKING_TOKEN");
    }
    assertThat(server.requests.get() - before).isEqualTo(2); // the request, and once more after refresh()
  }

  @Test
  void basicCredentialsComeFromTheEnvironment() {
    server.requiredAuthorization = "Basic " + Base64.getEncoder().encodeToString("ada:pw".getBytes(StandardCharsets.UTF_8));
    var provider = new MlflowRegistryProvider(Map.of("MLFLOW_TRACKING_USERNAME", "ada", "MLFLOW_TRACKING_PASSWORD", "pw"));
    try (ModelRegistry registry = ModelRegistries.create(provider.open(server.uri(), RegistryOptions.defaults()),
        RegistryOptions.defaults())) {
      registry.createModel("m");
      assertThat(registry.listModels()).hasSize(1);
    }
  }

  @Test
  void badArgumentsAreRejected() {
    for (String bad : new String[] {"mlflow:", "localhost:5000/ml", "http:relative"}) {
      assertThatThrownBy(() -> MlflowRegistries.open(bad, new BasicMlflowHostCreds("http://x"), RegistryOptions.defaults()))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'" + bad + "'").hasMessageContaining("http");
    }
    assertThatThrownBy(() -> MlflowRegistries.open(server.uri().toString(), new BasicMlflowHostCreds("http://x"),
        RegistryOptions.builder().storeOption("mlflow.max-attempts", "99").build()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1 to 20");
  }
}
