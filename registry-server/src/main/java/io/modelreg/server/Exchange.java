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
  /** Whether the route started reading the request body ({@link #body}). */
  private boolean bodyTouched;
  /** Whether the whole body was read, within the size limit. */
  private boolean bodyComplete;

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
      throw tooLarge(declared + " bytes declared"); // unread: the error answer drains it (discardUnreadBody)
    }
    bodyTouched = true;
    try (InputStream in = Content.Source.asInputStream(request)) {
      byte[] bytes = in.readNBytes(maxBodyBytes + 1);
      if (bytes.length > maxBodyBytes) {
        throw tooLarge("more than " + maxBodyBytes + " bytes sent");
      }
      bodyComplete = true;
      return bytes;
    }
  }

  /**
   * Before an error answer: a request body the route never read (refused before it got there: a bad path
   * parameter, a missing token, a declared length over the limit) is read and dropped, up to {@link
   * #DRAIN_FACTOR} times the size limit, so the connection is left clean for the client's next request and the
   * answer reaches a client that sends its body without waiting for one. Without that, the server closes the
   * connection with the body unread: the client, still sending, gets a reset, which can discard the answer
   * before it is read (the JDK's client then fails with "header parser received no bytes", seen for a body just
   * over the limit), and a client that pools connections may send its next request into the closing one. A
   * larger body, or one a route stopped reading, is not read: the answer says {@code Connection: close} so no
   * client reuses it.
   */
  void discardUnreadBody() {
    if (bodyComplete || request.getLength() == 0) {
      return;
    }
    long drainable = (long) DRAIN_FACTOR * maxBodyBytes;
    if (bodyTouched || request.getLength() > drainable) {
      response.getHeaders().put(HttpHeader.CONNECTION, "close");
      return;
    }
    bodyTouched = true;
    try (InputStream in = Content.Source.asInputStream(request)) {
      byte[] buf = new byte[8192];
      long read = 0;
      int n;
      while (read <= drainable && (n = in.read(buf)) >= 0) {
        read += n;
      }
      if (read > drainable) {
        response.getHeaders().put(HttpHeader.CONNECTION, "close");
      } else {
        bodyComplete = true;
      }
    } catch (IOException e) {
      response.getHeaders().put(HttpHeader.CONNECTION, "close");
    }
  }

  /** How many times the body limit a refused request's unread body may be read and dropped (see above). */
  static final int DRAIN_FACTOR = 4;

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
