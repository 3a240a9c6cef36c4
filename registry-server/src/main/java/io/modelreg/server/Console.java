package io.modelreg.server;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/** The web console's files, read once from the jar ({@code io/modelreg/server/console/}). No CDN, no cookies. */
final class Console {
  private static final Pattern FILE = Pattern.compile("[a-z0-9-]+\\.(html|js|css|svg)");
  private static final Map<String, String> TYPES = Map.of("html", "text/html; charset=utf-8", "js",
      "text/javascript; charset=utf-8", "css", "text/css; charset=utf-8", "svg", "image/svg+xml");
  static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
      + "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
  private final Map<String, byte[]> cache = new ConcurrentHashMap<>();

  void register(Router r) {
    r.add("GET", "/", Router.Access.READ, ex -> serve(ex, "index.html"));
    r.add("GET", "/console/{file}", Router.Access.READ, ex -> serve(ex, ex.param("file")));
  }

  private void serve(Exchange ex, String file) throws IOException {
    if (!FILE.matcher(file).matches()) {
      throw new ApiException(404, "not-found", "Not found", "No console file '" + file + "'");
    }
    byte[] body = cache.computeIfAbsent(file, Console::load);
    if (body.length == 0) {
      throw new ApiException(404, "not-found", "Not found", "No console file '" + file + "'");
    }
    ex.header("Content-Security-Policy", CSP);
    ex.header("Cache-Control", "no-cache");
    ex.send(200, TYPES.getOrDefault(file.substring(file.lastIndexOf('.') + 1), "application/octet-stream"), body);
  }

  private static byte[] load(String file) {
    try (InputStream in = Console.class.getResourceAsStream("console/" + file)) {
      return in == null ? new byte[0] : in.readAllBytes();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
