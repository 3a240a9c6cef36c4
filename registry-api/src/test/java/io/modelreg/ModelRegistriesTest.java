package io.modelreg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.modelreg.mem.MemoryRegistryStore;
import io.modelreg.spi.RegistryProvider;
import io.modelreg.spi.RegistryStore;
import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelRegistriesTest {

  /** A provider for the scheme {@code dup}; two subclasses claim it. */
  public static class DupProviderA implements RegistryProvider {
    @Override
    public Set<String> schemes() {
      return Set.of("dup");
    }

    @Override
    public RegistryStore open(URI uri, RegistryOptions options) {
      return MemoryRegistryStore.create();
    }
  }

  public static class DupProviderB extends DupProviderA {}

  /** A provider for {@code test}, written in upper case to check case-insensitive matching. */
  public static class UpperCaseProvider extends DupProviderA {
    @Override
    public Set<String> schemes() {
      return Set.of("TEST");
    }
  }

  /** A provider whose constructor fails, like a jar missing a dependency. */
  public static class BrokenProvider extends DupProviderA {
    public BrokenProvider() {
      throw new IllegalStateException("missing native library");
    }
  }

  @AfterEach
  void reset() {
    ModelRegistries.reset();
  }

  private static ClassLoader loaderWithServices(Path dir, String... classNames) throws IOException {
    Path services = dir.resolve("META-INF/services");
    Files.createDirectories(services);
    Files.writeString(services.resolve(RegistryProvider.class.getName()), String.join("\n", classNames) + "\n");
    return new URLClassLoader(new URL[] {dir.toUri().toURL()}, ModelRegistriesTest.class.getClassLoader());
  }

  @Test
  void anInvalidUriIsRefusedWithoutRepeatingItsCredentials() {
    assertThatThrownBy(() -> ModelRegistries.open("jdbc:postgresql://db:5432/models?user=ada&password=hunter2 x"))
        .isInstanceOf(IllegalArgumentException.class).hasNoCause()
        .hasMessageContaining("password=***").hasMessageContaining("at index").hasMessageNotContaining("hunter2");
    assertThatThrownBy(() -> ModelRegistries.open("mlflow://ada:hunter2@tracking:5000/ x"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("//ada:***@tracking")
        .hasMessageNotContaining("hunter2");
    assertThat(ModelRegistries.redacted("http://h/p?Token=abc&x=1;api_key=k#f")).isEqualTo("http://h/p?Token=***&x=1;api_key=***#f");
    assertThat(ModelRegistries.redacted("file:/srv/models")).isEqualTo("file:/srv/models");
  }

  @Test
  void opensMemThroughServiceLoader() {
    try (ModelRegistry r = ModelRegistries.open("mem:")) {
      r.register("m", Registration.builder().bytes("a", new byte[] {1}).build());
      assertThat(r.getVersion("m", 1).manifest().files()).hasSize(1);
    }
  }

  @Test
  void namedMemStoresAreSharedAndUnnamedOnesPrivate() {
    try (ModelRegistry a = ModelRegistries.open("mem:shared-test");
        ModelRegistry b = ModelRegistries.open("mem:shared-test");
        ModelRegistry c = ModelRegistries.open("mem:")) {
      a.createModel("m");
      assertThat(b.findModel("m")).isPresent();
      assertThat(c.findModel("m")).isEmpty();
    } finally {
      io.modelreg.mem.MemoryRegistryProvider.forget("shared-test");
    }
  }

  @Test
  void unknownSchemeListsInstalledOnes() {
    assertThatThrownBy(() -> ModelRegistries.open("nosuch:/x")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("nosuch").hasMessageContaining("[mem");
  }

  @Test
  void missingSchemeIsExplained() {
    assertThatThrownBy(() -> ModelRegistries.open("relative/path")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no scheme");
  }

  @Test
  void twoDiscoveredProvidersForOneSchemeFailNamingBoth(@TempDir Path dir) throws IOException {
    ClassLoader loader = loaderWithServices(dir, DupProviderA.class.getName(), DupProviderB.class.getName());
    RegistryOptions options = RegistryOptions.builder().classLoader(loader).build();
    assertThatThrownBy(() -> ModelRegistries.open("dup:/x", options)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(DupProviderA.class.getName()).hasMessageContaining(DupProviderB.class.getName());
  }

  @Test
  void explicitRegistrationWinsOverDiscovery(@TempDir Path dir) throws IOException {
    ClassLoader loader = loaderWithServices(dir, DupProviderA.class.getName(), DupProviderB.class.getName());
    ModelRegistries.register(new DupProviderA());
    RegistryOptions options = RegistryOptions.builder().classLoader(loader).build();
    try (ModelRegistry r = ModelRegistries.open("dup:/x", options)) {
      assertThat(r.listModels()).isEmpty();
    }
    assertThat(ModelRegistries.schemes(options)).containsEntry("dup", DupProviderA.class.getName());
  }

  @Test
  void twoExplicitProvidersForOneSchemeFail() {
    ModelRegistries.register(new DupProviderA());
    assertThatThrownBy(() -> ModelRegistries.register(new DupProviderB())).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(DupProviderA.class.getName()).hasMessageContaining(DupProviderB.class.getName());
    ModelRegistries.reset();
    ModelRegistries.register(new DupProviderB());
  }

  @Test
  void aBrokenProviderIsSkippedAndNamedWhenItsSchemeIsMissing(@TempDir Path dir) throws IOException {
    ClassLoader loader = loaderWithServices(dir, BrokenProvider.class.getName(), "io.modelreg.NoSuchProvider",
        UpperCaseProvider.class.getName());
    RegistryOptions options = RegistryOptions.builder().classLoader(loader).build();
    try (ModelRegistry r = ModelRegistries.open("test:/x", options)) {
      assertThat(r.describe()).isEqualTo("mem:");
    }
    try (ModelRegistry r = ModelRegistries.open("mem:", options)) {
      assertThat(r.listModels()).isEmpty();
    }
    assertThatThrownBy(() -> ModelRegistries.open("broken:/x", options)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("failed to load").hasMessageContaining("BrokenProvider")
        .hasMessageContaining("NoSuchProvider");
  }

  @Test
  void defaultUriPrefersEnvironmentThenPropertyThenHome() {
    assertThat(ModelRegistries.defaultUri("mem:env", "mem:prop", "/home/u")).isEqualTo(URI.create("mem:env"));
    assertThat(ModelRegistries.defaultUri(null, "mem:prop", "/home/u")).isEqualTo(URI.create("mem:prop"));
    assertThat(ModelRegistries.defaultUri(" ", null, "/home/u").toString()).isEqualTo("file:///home/u/.modelreg/registry");
  }

  @Test
  void optionsRefuseToBeSetTwiceAndValidate() {
    assertThatThrownBy(() -> RegistryOptions.builder().actor("a").actor("b")).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> RegistryOptions.builder().cacheTtl(java.time.Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(RegistryOptions.defaults().cacheTtl()).isEqualTo(java.time.Duration.ofSeconds(1));
  }
}
