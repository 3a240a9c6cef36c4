package io.modelreg.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Fields;
import org.jspecify.annotations.Nullable;

/** One request and its response, as the route handlers see them. Blocking; one thread per request. */
final class Exchange {
  final Request request;
  final Response response;
  final String path;
  private final Map<String, String> params;
  private final int maxBodyBytes;
  private @Nullable Fields query;
  private boolean committed;

  Exchange(Request request, Response response, String path, Map<String, String> params, int maxBodyBytes) {
    this.request = request;
    this.response = response;
    this.path = path;
    this.params = params;
    this.maxBodyBytes = maxBodyBytes;
  }

  String method() {
    return request.getMethod();
  }

  /** A path parameter of the matched route. */
  String param(String name) {
    String v = params.get(name);
    if (v == null) {
      throw new IllegalStateException("Route has no parameter " + name);
    }
    return v;
  }

  @Nullable String header(String name) {
    return request.getHeaders().get(name);
  }

  private Fields query() {
    if (query == null) {
      query = Request.extractQueryParameters(request, StandardCharsets.UTF_8);
    }
    return query;
  }

  @Nullable String query(String name) {
    return query().getValue(name);
  }

  List<String> queryAll(String name) {
    List<String> v = query().getValues(name);
    return v == null ? List.of() : v;
  }

  int queryInt(String name, int dflt, int min, int max) {
    String v = query(name);
    if (v == null) {
      return dflt;
    }
    try {
      int n = Integer.parseInt(v);
      if (n >= min && n <= max) {
        return n;
      }
    } catch (NumberFormatException e) {
      // below
    }
    throw ApiException.badRequest("Query parameter '" + name + "' must be an integer " + min + "-" + max + ", got '" + v + "'");
  }

  /** The request body, at most the configured size (413 beyond it, before reading more). */
  byte[] body() throws IOException {
    long declared = request.getLength();
    if (declared > maxBodyBytes) {
      throw tooLarge(declared + " bytes declared");
    }
    try (InputStream in = Content.Source.asInputStream(request)) {
      byte[] bytes = in.readNBytes(maxBodyBytes + 1);
      if (bytes.length > maxBodyBytes) {
        throw tooLarge("more than " + maxBodyBytes + " bytes sent");
      }
      return bytes;
    }
  }

  private ApiException tooLarge(String what) {
    return new ApiException(413, "body-too-large", "Request body too large",
        "The request body is too large (" + what + "); at most " + maxBodyBytes + " bytes are accepted");
  }

  void header(String name, String value) {
    response.getHeaders().put(name, value);
  }

  void json(int status, Object tree) throws IOException {
    send(status, "application/json", Json.write(tree));
  }

  void send(int status, String contentType, byte[] body) throws IOException {
    response.setStatus(status);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, Long.toString(body.length));
    committed = true;
    if (method().equals("HEAD")) {
      return;
    }
    try (OutputStream out = Content.Sink.asOutputStream(response)) {
      out.write(body);
    }
  }

  void empty(int status) {
    response.setStatus(status);
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, "0");
    committed = true;
  }

  void problem(Problems.Problem p) throws IOException {
    p.headers().forEach(this::header);
    send(p.status(), "application/problem+json", Json.write(p.body()));
  }

  /** Starts a streamed body; the caller closes the stream. */
  OutputStream stream(int status, String contentType, long length) {
    response.setStatus(status);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
    if (length >= 0) {
      response.getHeaders().put(HttpHeader.CONTENT_LENGTH, Long.toString(length));
    }
    committed = true;
    return Content.Sink.asOutputStream(response);
  }

  boolean committed() {
    return committed || response.isCommitted();
  }
}
