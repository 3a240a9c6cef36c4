package io.modelreg.server;

import java.util.List;
import java.util.Map;

/**
 * A request the server refuses itself (bad token, read-only, body too large, stale revision...), answered
 * as a problem document with this status.
 */
final class ApiException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  final int status;
  final String type;
  final String title;
  final Map<String, Object> extra;
  final List<String> errors;

  ApiException(int status, String type, String title, String detail) {
    this(status, type, title, detail, Map.of(), List.of());
  }

  ApiException(int status, String type, String title, String detail, Map<String, Object> extra, List<String> errors) {
    super(detail);
    this.status = status;
    this.type = type;
    this.title = title;
    this.extra = Map.copyOf(extra);
    this.errors = List.copyOf(errors);
  }

  static ApiException badRequest(String detail) {
    return new ApiException(400, "invalid-request", "Invalid request", detail);
  }
}
