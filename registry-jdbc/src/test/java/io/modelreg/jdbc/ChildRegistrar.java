package io.modelreg.jdbc;

import io.modelreg.ModelRegistries;
import io.modelreg.ModelRegistry;
import io.modelreg.ModelVersion;
import io.modelreg.Registration;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;

/**
 * What the many-writer and crash tests run in child JVMs: registers versions of one model into a {@code jdbc:}
 * registry, printing {@code READY} once open and {@code REGISTERED <number> <digest>} after each commit.
 *
 * <p>Arguments: database URL, schema, model, how many versions, a tag unique to this child, payload size in bytes.
 * The password comes from the environment the parent test runs in.
 */
public final class ChildRegistrar {
  private ChildRegistrar() {}

  public static void main(String[] args) {
    String url = args[0];
    String schema = args[1];
    String model = args[2];
    int count = Integer.parseInt(args[3]);
    String tag = args[4];
    long size = Long.parseLong(args[5]);
    try (ModelRegistry registry = ModelRegistries.open(url, TestDatabase.options(schema).actor("child-" + tag).build())) {
      System.out.println("READY");
      System.out.flush();
      for (int i = 0; i < count; i++) {
        String origin = tag + "/" + i;
        ModelVersion v = registry.register(model, Registration.builder()
            .stream("model.bin", () -> payload(origin, size))
            .bytes("meta/origin.txt", origin.getBytes(StandardCharsets.UTF_8))
            .tag("origin", origin)
            .build());
        System.out.println("REGISTERED " + v.number() + " " + v.digest());
        System.out.flush();
      }
    }
    System.out.println("DONE");
  }

  /** The deterministic bytes of one registration, generated as they are read: the parent checks every one. */
  static InputStream payload(String origin, long size) {
    Random random = new Random(origin.hashCode());
    return new InputStream() {
      private long left = size;

      @Override
      public int read() {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
      }

      @Override
      public int read(byte[] b, int off, int len) {
        if (left == 0) {
          return -1;
        }
        int n = (int) Math.min(len, left);
        byte[] chunk = new byte[n];
        random.nextBytes(chunk);
        System.arraycopy(chunk, 0, b, off, n);
        left -= n;
        return n;
      }
    };
  }
}
