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
 * <p>Arguments: database URL, schema, model, how many versions, a tag unique to this child, payload size in bytes,
 * optionally a byte count after which the first payload prints {@code HALFWAY} and stops producing bytes
 * (so the parent can kill the child in the middle of an upload for certain; negative for never), and optionally
 * the blob directory ({@code jdbc.blobs}). The password comes from the environment the parent test runs in.
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
    long haltAfter = args.length > 6 ? Long.parseLong(args[6]) : -1;
    java.nio.file.Path blobs = args.length > 7 ? java.nio.file.Path.of(args[7]) : null;
    try (ModelRegistry registry = ModelRegistries.open(url, TestDatabase.options(schema, blobs).actor("child-" + tag)
        .build())) {
      System.out.println("READY");
      System.out.flush();
      for (int n = 0; n < count; n++) {
        int i = n;
        String origin = tag + "/" + i;
        ModelVersion v = registry.register(model, Registration.builder()
            .stream("model.bin", () -> i == 0 && haltAfter >= 0 ? halting(payload(origin, size), haltAfter)
                : payload(origin, size))
            .bytes("meta/origin.txt", origin.getBytes(StandardCharsets.UTF_8))
            .tag("origin", origin)
            .build());
        System.out.println("REGISTERED " + v.number() + " " + v.digest());
        System.out.flush();
      }
    }
    System.out.println("DONE");
  }

  /** Passes {@code limit} bytes of {@code in}, then prints HALFWAY and blocks until the process is killed. */
  private static InputStream halting(InputStream in, long limit) {
    return new java.io.FilterInputStream(in) {
      private long passed;

      @Override
      public int read(byte[] b, int off, int len) throws java.io.IOException {
        if (passed >= limit) {
          System.out.println("HALFWAY");
          System.out.flush();
          try {
            Thread.sleep(Long.MAX_VALUE); // the parent kills this process now
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          throw new java.io.IOException("interrupted halfway");
        }
        int n = super.read(b, off, (int) Math.min(len, limit - passed));
        passed += Math.max(n, 0);
        return n;
      }
    };
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
