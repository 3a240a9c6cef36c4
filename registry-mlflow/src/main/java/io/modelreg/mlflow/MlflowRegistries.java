package io.modelreg.mlflow;

import io.modelreg.ModelRegistries;
import io.modelreg.ModelRegistry;
import io.modelreg.ModelVersion;
import io.modelreg.Names;
import io.modelreg.RegistryOptions;
import java.net.URI;
import java.net.URISyntaxException;
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
    Objects.requireNonNull(credentials, "credentials");
    Objects.requireNonNull(options, "options");
    return ModelRegistries.create(MlflowRegistryProvider.openStore(base(trackingUri), credentials, options), options);
  }

  /**
   * {@link ModelRegistry#adopt} on a registry opened for just that: adopts a version another MLflow client registered (say Python's {@code mlflow.register_model}), which
   * modelreg lists as PENDING because it has no digests: its files are read once through the artifact proxy
   * and hashed, and a modelreg record is committed, after which the version resolves, serves and verifies
   * like any other. Credentials come from the environment, as for {@link ModelRegistries#open(String)}.
   *
   * @return the adopted version, READY
   * @throws io.modelreg.VersionNotFoundException if there is no such version
   * @throws IllegalArgumentException if it already has a modelreg record, is not READY in MLflow, or its files
   *     are not served by the artifact proxy ({@code mlflow-artifacts:/…} or {@code runs:/…} sources)
   */
  public static ModelVersion adopt(String trackingUri, String name, int version, RegistryOptions options) {
    Names.checkModelName(name);
    if (version < 1) {
      throw new IllegalArgumentException("Version numbers start at 1, got " + version);
    }
    try (ModelRegistry registry = ModelRegistries.create(new MlflowRegistryProvider().open(base(trackingUri), options),
        options)) {
      return registry.adopt(name, version);
    }
  }

  private static URI base(String trackingUri) {
    Objects.requireNonNull(trackingUri, "trackingUri");
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
    return MlflowRegistryProvider.base(uri, System.getenv());
  }
}
