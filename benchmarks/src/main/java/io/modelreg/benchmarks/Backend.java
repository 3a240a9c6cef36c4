package io.modelreg.benchmarks;

import io.modelreg.ModelRegistries;
import io.modelreg.ModelRegistry;
import io.modelreg.RegistryOptions;
import java.nio.file.Path;

/** The registries a benchmark can run against; backends are added here as their modules land. */
public enum Backend {
  /** The in-memory reference store. */
  MEM {
    @Override
    ModelRegistry open(Path scratch, RegistryOptions options) {
      return ModelRegistries.open("mem:", options);
    }
  },
  /** The embedded file registry, in a scratch directory. */
  FILE {
    @Override
    ModelRegistry open(Path scratch, RegistryOptions options) {
      return ModelRegistries.open(scratch.toUri(), options);
    }
  };

  /** Opens an empty registry of this backend; {@code scratch} is an empty directory it may use. */
  abstract ModelRegistry open(Path scratch, RegistryOptions options);
}
