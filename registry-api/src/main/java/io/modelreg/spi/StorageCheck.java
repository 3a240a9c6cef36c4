package io.modelreg.spi;

import io.modelreg.Digest;
import java.util.List;
import java.util.Map;

/**
 * What {@link RegistryStore#verifyStorage()} found.
 *
 * @param problems one sentence per problem, naming the file or object
 * @param intact content the store re-hashed and found intact, with its size in bytes
 */
public record StorageCheck(List<String> problems, Map<Digest, Long> intact) {
  public StorageCheck {
    problems = List.copyOf(problems);
    intact = Map.copyOf(intact);
  }
}
