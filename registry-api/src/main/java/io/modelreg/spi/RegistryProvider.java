package io.modelreg.spi;

import io.modelreg.RegistryOptions;
import java.net.URI;
import java.util.Set;

/**
 * Opens {@link RegistryStore}s for one or more URI schemes. Implementations are found with {@link
 * java.util.ServiceLoader} ({@code META-INF/services/io.modelreg.spi.RegistryProvider}) or registered
 * with {@link io.modelreg.ModelRegistries#register}. Constructing a provider must be cheap and must
 * not touch the network or the disk; work happens in {@link #open}.
 */
public interface RegistryProvider {
  /** The URI schemes this provider serves, lower case ({@code file}, {@code mlflow}). */
  Set<String> schemes();

  /**
   * Opens a store for {@code uri}.
   *
   * @param uri the registry URI, whose scheme is one of {@link #schemes()}
   * @param options the registry options, including {@link RegistryOptions#storeOptions()}
   * @throws IllegalArgumentException if the URI is malformed for this backend
   * @throws io.modelreg.RegistryException if the store cannot be opened
   */
  RegistryStore open(URI uri, RegistryOptions options);
}
