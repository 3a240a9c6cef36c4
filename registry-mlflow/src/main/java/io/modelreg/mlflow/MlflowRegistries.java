package io.modelreg.mlflow;

import io.modelreg.ModelRegistries;
import io.modelreg.ModelRegistry;
import io.modelreg.RegistryOptions;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Map;
import java.util.Objects;
import org.mlflow.tracking.creds.MlflowHostCredsProvider;

/**
 * Opens an MLflow-backed registry with credentials from code rather than the environment: any
 * mlflow-client {@link MlflowHostCredsProvider} — a fixed {@code BasicMlflowHostCreds}, a chain, or your
 * own that fetches short-lived tokens. The provider is asked on every request, and refreshed once when the
 * server answers 401 or 403, so expiring tokens are renewed without reopening the registry.
 *
 * <pre>{@code
 * MlflowHostCredsProvider creds = new BasicMlflowHostCreds("https://mlflow.example", vault.token());
 * try (ModelRegistry registry = MlflowRegistries.open("https://mlflow.example", creds, RegistryOptions.defaults())) {
 *   registry.resolve("models:/churn@champion");
 * }
 * }</pre>
 *
 * <p>{@link ModelRegistries#open(String)} with an {@code mlflow:}/{@code http(s):} URI does the same with
 * credentials from {@code MLFLOW_TRACKING_TOKEN} or {@code MLFLOW_TRACKING_USERNAME}/{@code _PASSWORD}.
 */
public final class MlflowRegistries {
  private MlflowRegistries() {}

  /**
   * The registry on the MLflow server at {@code trackingUri} (any URI form {@link MlflowRegistryProvider}
   * accepts, except bare {@code mlflow:}); TLS checks are skipped only when the credentials say so
   * ({@code shouldIgnoreTlsVerification()}). Store options ({@code mlflow.*}) come from {@code options}.
   *
   * @throws IllegalArgumentException if the URI names no server or an option is malformed
   */
  public static ModelRegistry open(String trackingUri, MlflowHostCredsProvider credentials, RegistryOptions options) {
    Objects.requireNonNull(trackingUri, "trackingUri");
    Objects.requireNonNull(credentials, "credentials");
    Objects.requireNonNull(options, "options");
    URI uri;
    try {
      uri = new URI(trackingUri.trim());
    } catch (URISyntaxException e) {
      uri = null;
    }
    if (uri == null || uri.getScheme() == null) {
      throw new IllegalArgumentException("'" + trackingUri + "' is not a tracking URI; expected mlflow://host:port,"
          + " mlflow+https://host or http(s)://host[:port][/path]");
    }
    URI base = MlflowRegistryProvider.base(uri, Map.of());
    return ModelRegistries.create(MlflowRegistryProvider.openStore(base, credentials, options), options);
  }
}
