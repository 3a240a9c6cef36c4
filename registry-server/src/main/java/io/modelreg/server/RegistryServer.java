package io.modelreg.server;

import io.modelreg.ModelRegistry;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.eclipse.jetty.http.HttpCompliance;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.URIUtil;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An HTTP server over a {@link ModelRegistry}: the REST API under {@code /api/v1} (with Server-Sent Events at
 * {@code /api/v1/events} and its OpenAPI 3.1 document at {@code /api/v1/openapi.json}), Prometheus metrics at
 * {@code /metrics}, and the web console at {@code /}.
 *
 * <pre>{@code
 * try (RegistryServer server = RegistryServer.start(registry, ServerOptions.defaults())) {
 *   System.out.println("Console: " + server.consoleUri());   // carries the write token in its #fragment
 * }
 * }</pre>
 *
 * <p>Writes need {@code Authorization: Bearer <token>}; the server never sets cookies, so there is no CSRF, and
 * sends no CORS headers unless origins are configured. Closing the server stops it (event streams end) but
 * leaves the registry open: the caller owns it.
 */
public final class RegistryServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RegistryServer.class);

  private final Server jetty;
  private final ServerOptions options;
  private final String token;
  private final EventHub events;
  private final URI uri;
  private final Router router;

  private RegistryServer(Server jetty, ServerOptions options, String token, EventHub events, URI uri, Router router) {
    this.router = router;
    this.jetty = jetty;
    this.options = options;
    this.token = token;
    this.events = events;
    this.uri = uri;
  }

  /**
   * Starts a server on {@code options.host()} and {@code options.port()} (a free port when 0) and returns when
   * it accepts connections.
   *
   * @throws IllegalStateException if the port cannot be bound (in use, not permitted), naming host and port
   */
  public static RegistryServer start(ModelRegistry registry, ServerOptions options) {
    String token = options.token().orElseGet(RegistryServer::newToken);
    EventHub events = new EventHub(registry, options.eventBuffer(), options.clock().millis());
    PoolView pool = options.pool();
    if (pool != null) {
      pool.onSwitch(options.clock(), s -> events.publish("switch", null, Json.write(s)));
    }
    ServerMetrics metrics = new ServerMetrics(registry, events, pool);
    Router router = new Router();
    new ApiRoutes(registry, options, events).register(router);
    router.add("GET", ApiRoutes.BASE + "/openapi.json", Router.Access.READ, OpenApi::serve);
    router.add("GET", "/metrics", Router.Access.READ,
        ex -> ex.send(200, "text/plain; version=0.0.4; charset=utf-8", metrics.scrape().getBytes(StandardCharsets.UTF_8)));
    new Console().register(router);

    QueuedThreadPool threads = new QueuedThreadPool(EventHub.MAX_CLIENTS + 64, 4);
    threads.setName("modelreg-server");
    threads.setDaemon(true);
    Server jetty = new Server(threads);
    HttpConfiguration http = new HttpConfiguration();
    http.setSendServerVersion(false);
    http.setSendDateHeader(true);
    http.setRequestHeaderSize(16 * 1024);
    http.setUriCompliance(UriCompliance.DEFAULT);
    http.setHttpCompliance(HttpCompliance.RFC9110);
    ServerConnector connector = new ServerConnector(jetty, new HttpConnectionFactory(http));
    connector.setHost(options.host());
    connector.setPort(options.port());
    connector.setIdleTimeout(Math.max(30_000, options.heartbeat().toMillis() * 3));
    jetty.addConnector(connector);
    jetty.setHandler(new Dispatcher(router, options, token, metrics));
    jetty.setStopTimeout(2_000);
    try {
      jetty.start();
    } catch (Exception e) {
      events.close();
      try {
        jetty.stop();
      } catch (Exception ignored) {
        // already failing
      }
      throw new IllegalStateException("Could not start the registry server on " + options.host() + ":" + options.port()
          + ": " + e.getMessage(), e);
    }
    String host = options.host().contains(":") && !options.host().startsWith("[") ? "[" + options.host() + "]" : options.host();
    URI uri = URI.create("http://" + host + ":" + connector.getLocalPort() + "/");
    LOG.info("modelreg server on {} over {}{}", uri, registry.describe(), options.readOnly() ? " (read-only)" : "");
    return new RegistryServer(jetty, options, token, events, uri, router);
  }

  private static String newToken() {
    byte[] bytes = new byte[32];
    new SecureRandom().nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** The route table (for the test that checks the OpenAPI document against it). */
  Router router() {
    return router;
  }

  /** The base URI, such as {@code http://127.0.0.1:41234/}. */
  public URI uri() {
    return uri;
  }

  /** The bound port. */
  public int port() {
    return uri.getPort();
  }

  /** The bearer token writes need. */
  public String token() {
    return token;
  }

  /**
   * The console's address with the token in the fragment ({@code #token=…}): the browser never sends a fragment
   * to a server, and the console moves it into the tab's session storage and removes it from the address bar.
   * In read-only mode the address carries no token.
   */
  public URI consoleUri() {
    return options.readOnly() ? uri : URI.create(uri + "#token=" + token);
  }

  /** Stops the server: open event streams end, running requests get up to 2 s. The registry stays open. */
  @Override
  public void close() {
    events.close();
    try {
      jetty.stop();
    } catch (Exception e) {
      LOG.warn("Stopping the registry server failed: {}", e.toString());
    }
  }

  /** Routes each request; checks token, read-only mode and CORS; maps every failure to a problem document. */
  private static final class Dispatcher extends Handler.Abstract {
    private final Router router;
    private final ServerOptions options;
    private final byte[] token;
    private final ServerMetrics metrics;

    Dispatcher(Router router, ServerOptions options, String token, ServerMetrics metrics) {
      super(InvocationType.BLOCKING);
      this.router = router;
      this.options = options;
      this.token = token.getBytes(StandardCharsets.UTF_8);
      this.metrics = metrics;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
      long start = options.ticker().nanoTime();
      String method = request.getMethod();
      String path = request.getHttpURI().getCanonicalPath();
      String route = "NOT_FOUND";
      Exchange ex = new Exchange(request, response, path == null ? "/" : path, Map.of(), options.maxBodyBytes());
      try {
        baseHeaders(response);
        if (path == null || !path.startsWith("/")) {
          throw ApiException.badRequest("Invalid request path");
        }
        List<String> segments = new ArrayList<>();
        for (String s : Router.split(path)) {
          segments.add(URIUtil.decodePath(s));
        }
        boolean cors = cors(request, response);
        if (method.equals("OPTIONS")) {
          Set<String> allowed = router.methodsFor(segments);
          if (!cors || allowed.isEmpty()) {
            throw new ApiException(403, "cors", "Cross-origin request refused",
                "This server allows no cross-origin requests from " + request.getHeaders().get("Origin")
                    + (options.corsOrigins().isEmpty() ? " (CORS is off)" : "; allowed: " + options.corsOrigins()));
          }
          response.getHeaders().put("Access-Control-Allow-Methods", String.join(", ", allowed));
          response.getHeaders().put("Access-Control-Allow-Headers", "Authorization, Content-Type, If-Match, If-None-Match, Last-Event-ID");
          response.getHeaders().put("Access-Control-Max-Age", "600");
          route = "OPTIONS";
          ex.empty(204);
        } else {
          Router.Match match = router.match(method, segments);
          if (match == null) {
            Set<String> allowed = router.methodsFor(segments);
            if (!allowed.isEmpty()) {
              response.getHeaders().put("Allow", String.join(", ", allowed));
              throw new ApiException(405, "method-not-allowed", "Method not allowed",
                  method + " is not allowed on " + path + "; allowed: " + String.join(", ", allowed));
            }
            throw new ApiException(404, "not-found", "Not found", "No such resource: " + path
                + " (the API is under " + ApiRoutes.BASE + ", its description at " + ApiRoutes.BASE + "/openapi.json)");
          }
          route = match.route().pattern();
          if (match.route().isWrite()) {
            authorize(request);
            String type = request.getHeaders().get("Content-Type");
            if (request.getLength() != 0 && type != null && !type.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
              throw new ApiException(415, "unsupported-media-type", "Unsupported media type",
                  "Request bodies must be application/json, got " + type);
            }
          }
          ex = new Exchange(request, response, path, match.params(), options.maxBodyBytes());
          match.route().handler().handle(ex);
          if (!ex.committed()) {
            ex.empty(204);
          }
        }
        callback.succeeded();
      } catch (Throwable e) {
        if (response.isCommitted()) {
          // headers (and perhaps bytes) are out: abort, so the client sees a broken response, never a complete wrong one
          if (!(e instanceof IOException)) {
            LOG.warn("{} {} failed after the response started: {}", method, path, e.toString());
          }
          callback.failed(e);
        } else {
          try {
            // drop what the handler set for a success (ETag, Digest, Content-Length...), keep the Allow of a 405
            String allow = response.getHeaders().get("Allow");
            response.reset();
            baseHeaders(response);
            cors(request, response);
            if (allow != null) {
              response.getHeaders().put("Allow", allow);
            }
            ex.discardUnreadBody();
            ex.problem(Problems.of(e, path == null ? "/" : path));
            callback.succeeded();
          } catch (Throwable t) {
            callback.failed(t);
          }
        }
      } finally {
        metrics.request(method, route, response.getStatus(), options.ticker().nanoTime() - start);
      }
      return true;
    }

    private static void baseHeaders(Response response) {
      response.getHeaders().put("X-Content-Type-Options", "nosniff");
      response.getHeaders().put("Referrer-Policy", "no-referrer");
    }

    private void authorize(Request request) {
      if (options.readOnly()) {
        throw new ApiException(403, "read-only", "Read-only server",
            "This server is read-only: it serves reads, renders and events, and refuses every change");
      }
      String auth = request.getHeaders().get("Authorization");
      if (auth == null || !auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
        throw new ApiException(401, "unauthorized", "Token required",
            "Changes need the server's token: send 'Authorization: Bearer <token>' (printed when the server started)");
      }
      byte[] given = auth.substring(7).trim().getBytes(StandardCharsets.UTF_8);
      if (!MessageDigest.isEqual(given, token)) {
        throw new ApiException(401, "unauthorized", "Wrong token", "The bearer token is not this server's token");
      }
    }

    /** Adds CORS headers when the request's origin is configured; says whether it was. */
    private boolean cors(Request request, Response response) {
      @Nullable String origin = request.getHeaders().get("Origin");
      if (origin == null || !options.corsOrigins().contains(origin)) {
        return false;
      }
      response.getHeaders().put("Access-Control-Allow-Origin", origin);
      response.getHeaders().put("Vary", "Origin");
      response.getHeaders().put("Access-Control-Expose-Headers", "ETag, Digest, Repr-Digest, Retry-After, Location");
      return true;
    }
  }
}
