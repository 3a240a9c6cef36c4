package io.modelreg.server;

import io.modelreg.AlreadyExistsException;
import io.modelreg.ConflictException;
import io.modelreg.IntegrityException;
import io.modelreg.NotFoundException;
import io.modelreg.PromotionRejectedException;
import io.modelreg.TransientRegistryException;
import io.modelreg.prompts.MissingVariablesException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Maps exceptions to RFC 9457 problem documents: {@code type} (a URI naming the kind of problem),
 * {@code title}, {@code status}, {@code detail} (the exception's message, which says what was wrong and what
 * is allowed), {@code instance} (the request path) and, for refusals with several reasons, {@code errors}.
 */
final class Problems {
  private static final Logger LOG = LoggerFactory.getLogger(Problems.class);
  static final String TYPE_BASE = "https://modelreg.io/problems/";
  /** Seconds a client should wait before retrying a transient failure. */
  static final int RETRY_AFTER_SECONDS = 1;

  /** A problem document and its status, plus the headers it needs. */
  record Problem(int status, Map<String, Object> body, Map<String, String> headers) {}

  private Problems() {}

  static Problem of(Throwable e, String instance) {
    if (e instanceof ApiException a) {
      Map<String, String> headers = a.status == 401 ? Map.of("WWW-Authenticate", "Bearer realm=\"modelreg\"") : Map.of();
      return problem(a.status, a.type, a.title, a.getMessage(), instance, a.errors, a.extra, headers);
    }
    if (e instanceof NotFoundException) {
      return problem(404, "not-found", "Not found", e.getMessage(), instance, List.of(), Map.of(), Map.of());
    }
    if (e instanceof PromotionRejectedException p) {
      return problem(422, "promotion-rejected", "Refused by policy", e.getMessage(), instance, p.reasons(), Map.of(),
          Map.of());
    }
    if (e instanceof AlreadyExistsException) {
      return problem(409, "already-exists", "Already exists", e.getMessage(), instance, List.of(), Map.of(), Map.of());
    }
    if (e instanceof ConflictException) {
      return problem(409, "conflict", "Conflicting change", e.getMessage(), instance, List.of(), Map.of(), Map.of());
    }
    if (e instanceof TransientRegistryException) {
      return problem(503, "transient", "Temporarily unavailable", e.getMessage(), instance, List.of(), Map.of(),
          Map.of("Retry-After", Integer.toString(RETRY_AFTER_SECONDS)));
    }
    if (e instanceof IntegrityException) {
      LOG.error("Integrity failure on {}", instance, e);
      return problem(500, "integrity", "Stored data is damaged", e.getMessage(), instance, List.of(), Map.of(), Map.of());
    }
    if (e instanceof MissingVariablesException m) {
      return problem(400, "missing-variables", "Missing template variables", e.getMessage(), instance, m.missing(),
          Map.of(), Map.of());
    }
    if (e instanceof IllegalArgumentException) {
      return problem(400, "invalid-request", "Invalid request", e.getMessage(), instance, List.of(), Map.of(), Map.of());
    }
    if (e instanceof IllegalStateException) {
      return problem(409, "invalid-state", "Not possible in the current state", e.getMessage(), instance, List.of(),
          Map.of(), Map.of());
    }
    LOG.error("Unexpected failure on {}", instance, e);
    return problem(500, "internal", "Internal server error",
        "The server failed unexpectedly (" + e.getClass().getSimpleName() + "); the server log has the details",
        instance, List.of(), Map.of(), Map.of());
  }

  private static Problem problem(int status, String type, String title, @org.jspecify.annotations.Nullable String detail,
      String instance, List<String> errors, Map<String, Object> extra, Map<String, String> headers) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("type", TYPE_BASE + type);
    body.put("title", title);
    body.put("status", status);
    body.put("detail", detail == null ? title : detail);
    body.put("instance", instance);
    if (!errors.isEmpty()) {
      body.put("errors", errors);
    }
    body.putAll(extra);
    return new Problem(status, body, headers);
  }
}
