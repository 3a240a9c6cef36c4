package io.modelreg.server;

import java.io.IOException;
import java.io.InputStream;

/** Serves the OpenAPI 3.1 document kept beside the code ({@code openapi.json}); a test checks it against the routes. */
final class OpenApi {
  private static final byte[] DOCUMENT = load();

  private OpenApi() {}

  static void serve(Exchange ex) throws IOException {
    ex.send(200, "application/json", DOCUMENT);
  }

  private static byte[] load() {
    try (InputStream in = OpenApi.class.getResourceAsStream("openapi.json")) {
      if (in == null) {
        throw new IllegalStateException("openapi.json is missing from the jar");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
