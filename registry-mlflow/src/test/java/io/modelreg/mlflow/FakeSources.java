package io.modelreg.mlflow;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The stand-in's reading of which {@code model-versions/create} sources MLflow 3.1 takes (recorded in {@code
 * mlflow-recorded/sources.json}): a source without a scheme, or a {@code file:} one on this host, is a local path
 * and refused (the server's artifacts are proxied, so no run's artifact directory is local); any other must have an
 * absolute path with no {@code .} or {@code ..} segment once percent-decoded, so made-up schemes such as {@code
 * modelreg:empty} are refused too (their "path" is relative).
 */
final class FakeSources {
  private static final Pattern SCHEME = Pattern.compile("^([A-Za-z][A-Za-z0-9+.-]*):(.*)$", Pattern.DOTALL);
  private static final Pattern LOGGED_MODEL = Pattern.compile("^models:/([^/]+)/?$");

  private FakeSources() {}

  /** MLflow's message refusing {@code source} for a version that is not a prompt; null when it is taken. */
  static @Nullable String refusal(String source) {
    Matcher m = SCHEME.matcher(source);
    String rest = m.matches() ? m.group(2) : null;
    boolean local = rest == null || (m.group(1).equalsIgnoreCase("file") && !remoteHost(rest));
    if (local) {
      return "Invalid model version source: '" + source + "'. To use a local path as a model version source, the run_id "
          + "request parameter has to be specified and the local path has to be contained within the artifact directory "
          + "of the run specified by the run_id.";
    }
    String decoded = source;
    for (String next = decode(decoded); !next.equals(decoded); next = decode(decoded)) {
      decoded = next;
    }
    Matcher d = SCHEME.matcher(decoded);
    String path = d.matches() ? d.group(2) : decoded;
    if (path.startsWith("//")) {
      int slash = path.indexOf('/', 2);
      path = slash < 0 ? "" : path.substring(slash);
    }
    int cut = indexOfAny(path, "?#");
    path = cut < 0 ? path : path.substring(0, cut);
    path = path.replaceAll("/+", "/");
    while (path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    boolean dotDot = false;
    for (String segment : decoded.split("/")) {
      dotDot |= segment.equals("..");
    }
    if (path.contains("\0") || dotDot || !path.equals(resolved(path))) {
      return "Invalid model version source: '" + source + "'. If supplying a source as an http, https, local file path, "
          + "ftp, objectstore, or mlflow-artifacts uri, an absolute path must be provided without relative path "
          + "references present. Please provide an absolute path.";
    }
    return null;
  }

  /** The logged model a {@code models:/<id>} source names (MLflow 3), else null. */
  static @Nullable String loggedModelId(String source) {
    Matcher m = LOGGED_MODEL.matcher(source);
    return m.matches() ? m.group(1) : null;
  }

  private static boolean remoteHost(String rest) {
    if (!rest.startsWith("//")) {
      return false;
    }
    String host = rest.substring(2).split("[/:]", 2)[0];
    return !host.isEmpty() && !host.equals(".") && !host.startsWith("localhost") && !host.startsWith("127.0.0.1");
  }

  private static String decode(String s) {
    try {
      return URLDecoder.decode(s, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return s;
    }
  }

  private static int indexOfAny(String s, String chars) {
    for (int i = 0; i < s.length(); i++) {
      if (chars.indexOf(s.charAt(i)) >= 0) {
        return i;
      }
    }
    return -1;
  }

  /** The path as an absolute, normalised one, as Python's {@code Path.resolve()} would give for it (no links here). */
  private static String resolved(String path) {
    if (!path.startsWith("/")) {
      return "/server-working-directory/" + path;
    }
    Deque<String> out = new ArrayDeque<>();
    for (String segment : path.split("/")) {
      if (segment.isEmpty() || segment.equals(".")) {
        continue;
      }
      if (segment.equals("..")) {
        out.pollLast();
      } else {
        out.addLast(segment);
      }
    }
    return "/" + String.join("/", out);
  }
}
