package io.modelreg.filesystem;

import io.modelreg.ModelRegistries;
import io.modelreg.ModelRegistry;
import io.modelreg.ModelVersion;
import io.modelreg.Registration;
import io.modelreg.RegistryOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Random;

/**
 * The program the multi-process and crash tests start in child JVMs: registers versions of one model and
 * prints {@code REGISTERED <number> <digest>} after each one is committed.
 *
 * <p>Arguments: registry root, model name, how many versions, a tag unique to this child, payload size.
 */
public final class ChildRegistrar {
  private ChildRegistrar() {}

  public static void main(String[] args) {
    Path root = Path.of(args[0]);
    String model = args[1];
    int count = Integer.parseInt(args[2]);
    String tag = args[3];
    int size = Integer.parseInt(args[4]);
    try (ModelRegistry registry = ModelRegistries.open(root.toUri(), RegistryOptions.builder().actor("child-" + tag).build())) {
      System.out.println("READY");
      System.out.flush();
      for (int i = 0; i < count; i++) {
        String origin = tag + "/" + i;
        ModelVersion v = registry.register(model, Registration.builder()
            .bytes("model.bin", payload(origin, size))
            .bytes("meta/origin.txt", origin.getBytes(StandardCharsets.UTF_8))
            .tag("origin", origin)
            .build());
        System.out.println("REGISTERED " + v.number() + " " + v.digest());
        System.out.flush();
      }
    }
    System.out.println("DONE");
  }

  /** The deterministic payload of one registration, so the parent can check every byte. */
  static byte[] payload(String origin, int size) {
    byte[] bytes = new byte[size];
    new Random(origin.hashCode()).nextBytes(bytes);
    return bytes;
  }
}
