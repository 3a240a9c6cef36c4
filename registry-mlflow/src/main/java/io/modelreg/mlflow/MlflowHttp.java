package io.modelreg.mlflow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelreg.AlreadyExistsException;
import io.modelreg.NotFoundException;
import io.modelreg.RegistryException;
import io.modelreg.Ticker;
import io.modelreg.TransientRegistryException;
import java.io.IOException;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.StringJoiner;
import org.jspecify.annotations.Nullable;
import org.mlflow.tracking.creds.BasicMlflowHostCreds;
import org.mlflow.tracking.creds.MlflowHostCreds;
import org.mlflow.tracking.creds.MlflowHostCredsProvider;

/**
 * MLflow's REST API ({@code /api/2.0/mlflow/...}) and artifact proxy ({@code
 * /api/2.0/mlflow-artifacts/artifacts/...}) over the JDK {@link HttpClient}: connections are reused (and a
 * server's {@code Connection: close} is honoured by the client), deletes are DELETE with a JSON body,
 * artifacts stream from and to files on a blocking {@link HttpURLConnection} (see {@link #blocking}). Requests are retried with exponential back-off on 429, 5xx (except the
 * 500 MLflow answers for a missing artifact) and connection errors, a bounded number of times, then fail
 * with {@link TransientRegistryException}. MLflow's error codes become the registry's exceptions.
 * Credentials come from mlflow-client's {@link MlflowHostCredsProvider}, asked on every request; after a 401
 * or 403 the provider is refreshed once and the request repeated. Secrets (token, password) are sent in
 * headers and never appear in messages.
 */
final class MlflowHttp {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String API = "/api/2.0/mlflow/";
  private static final String ARTIFACTS = "/api/2.0/mlflow-artifacts/artifacts/";

  /** Where and how to connect; the credentials' host is not used, {@code base} is where requests go. */
  record Settings(URI base, MlflowHostCredsProvider credentials, Duration connectTimeout, Duration requestTimeout,
      int maxAttempts, Duration firstBackoff) {

    Settings {
      if (maxAttempts < 1) {
        throw new IllegalArgumentException("maxAttempts must be at least 1");
      }
    }

    /** Fixed credentials: a bearer token, or a user name and password, or neither. */
    static MlflowHostCredsProvider credentials(URI base, @Nullable String token, @Nullable String username,
        @Nullable String password, boolean insecureTls) {
      return new BasicMlflowHostCreds(base.toString(), username, password, token, insecureTls);
    }

    @Override
    public String toString() {
      return "Settings{" + base + "}";
    }
  }

  private final Settings settings;
  private final HttpClient client;
  private final boolean insecureTls;
  private final Ticker ticker;

  MlflowHttp(Settings settings) {
    this(settings, Ticker.system());
  }

  /** A client that pauses between retries with {@code ticker}. */
  MlflowHttp(Settings settings, Ticker ticker) {
    this.settings = settings;
    this.ticker = ticker;
    this.insecureTls = settings.credentials().getHostCreds().shouldIgnoreTlsVerification();
    HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(settings.connectTimeout())
        .version(HttpClient.Version.HTTP_1_1);
    if (insecureTls) {
      builder.sslContext(trustingEveryCertificate());
    }
    this.client = builder.build();
  }

  /** The Authorization header for the credentials as the provider has them now; null for none. */
  private @Nullable String authorization() {
    MlflowHostCreds creds = settings.credentials().getHostCreds();
    String token = creds.getToken();
    if (token != null && !token.isEmpty()) {
      return "Bearer " + token;
    }
    String user = creds.getUsername();
    if (user != null && !user.isEmpty()) {
      return "Basic " + Base64.getEncoder().encodeToString(
          (user + ":" + Objects.requireNonNullElse(creds.getPassword(), "")).getBytes(StandardCharsets.UTF_8));
    }
    return null;
  }

  /**
   * For {@code MLFLOW_TRACKING_INSECURE_TLS=true}, as MLflow's own clients do: no certificate or host name
   * check. Meant for test servers with self-signed certificates; the README says so.
   */
  private static SSLContext trustingEveryCertificate() {
    X509ExtendedTrustManager trustAll = new X509ExtendedTrustManager() {
      @Override
      public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {}

      @Override
      public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {}

      @Override
      public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

      @Override
      public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

      @Override
      public void checkClientTrusted(X509Certificate[] chain, String authType) {}

      @Override
      public void checkServerTrusted(X509Certificate[] chain, String authType) {}

      @Override
      public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
      }
    };
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, new TrustManager[] {trustAll}, null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("TLS is not available in this JVM", e);
    }
  }

  URI base() {
    return settings.base();
  }

  // ------------------------------------------------------------------ JSON API

  JsonNode get(String endpoint, Map<String, String> query) {
    return call("GET", endpoint + query(query), null);
  }

  JsonNode post(String endpoint, Object body) {
    return call("POST", endpoint, body);
  }

  JsonNode patch(String endpoint, Object body) {
    return call("PATCH", endpoint, body);
  }

  JsonNode delete(String endpoint, Object body) {
    return call("DELETE", endpoint, body);
  }

  /**
   * Every item under {@code field} that a search answers, one request per page of 1000: a GET search
   * ({@code registered-models/search}, {@code model-versions/search}) takes {@code body} as its query, a POST
   * search ({@code runs/search}) as its JSON body.
   */
  List<JsonNode> searchAll(String method, String endpoint, String field, Map<String, Object> body) {
    List<JsonNode> out = new ArrayList<>();
    String token = null;
    do {
      Map<String, Object> request = new LinkedHashMap<>(body);
      request.put("max_results", 1000);
      if (token != null) {
        request.put("page_token", token);
      }
      JsonNode page;
      if (method.equals("GET")) {
        Map<String, String> q = new LinkedHashMap<>();
        request.forEach((k, v) -> q.put(k, String.valueOf(v)));
        page = get(endpoint, q);
      } else {
        page = post(endpoint, request);
      }
      page.path(field).forEach(out::add);
      token = page.hasNonNull("next_page_token") ? page.path("next_page_token").asText() : null;
    } while (token != null);
    return out;
  }

  static String query(Map<String, String> q) {
    if (q.isEmpty()) {
      return "";
    }
    StringJoiner j = new StringJoiner("&", "?", "");
    q.forEach((k, v) -> j.add(URLEncoder.encode(k, StandardCharsets.UTF_8) + "=" + URLEncoder.encode(v, StandardCharsets.UTF_8)));
    return j.toString();
  }

  static Map<String, String> params(String... kv) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i + 1 < kv.length; i += 2) {
      m.put(kv[i], kv[i + 1]);
    }
    return m;
  }

  private JsonNode call(String method, String endpoint, @Nullable Object body) {
    byte[] payload;
    try {
      payload = body == null ? new byte[0] : JSON.writeValueAsBytes(body);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    HttpResponse<byte[]> response = send(method, URI.create(settings.base() + API + endpoint),
        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(payload),
        HttpResponse.BodyHandlers.ofByteArray(), method + " " + endpoint, false);
    return json(response.body(), method + " " + endpoint);
  }

  private static JsonNode json(byte[] body, String what) {
    try {
      return body.length == 0 ? JSON.createObjectNode() : JSON.readTree(body);
    } catch (IOException e) {
      throw new RegistryException("MLflow answered " + what + " with something that is not JSON", e);
    }
  }

  // ------------------------------------------------------------------ artifacts

  /** Bytes to PUT: their size, written again for each attempt, so a PUT is retried without asking the caller. */
  interface Body {
    long size() throws IOException;

    void writeTo(OutputStream out) throws IOException;

    /** {@code size} bytes, written by {@code writer} (once per attempt). */
    static Body of(long size, Writer writer) {
      return new Body() {
        @Override
        public long size() {
          return size;
        }

        @Override
        public void writeTo(OutputStream out) throws IOException {
          writer.writeTo(out);
        }
      };
    }

    /** Writes a body's bytes. */
    @FunctionalInterface
    interface Writer {
      void writeTo(OutputStream out) throws IOException;
    }

    /** A file's bytes, streamed from disk. */
    static Body of(Path file) {
      return new Body() {
        @Override
        public long size() throws IOException {
          return Files.size(file);
        }

        @Override
        public void writeTo(OutputStream out) throws IOException {
          Files.copy(file, out);
        }
      };
    }
  }

  /** Uploads a file to {@code <path>} under the artifact proxy, streaming it from disk. */
  void putArtifact(String path, Path file) {
    if (!Files.isReadable(file)) {
      throw new RegistryException("Cannot read " + file);
    }
    putArtifact(path, Body.of(file));
  }

  /** Uploads {@code body} to {@code <path>} under the artifact proxy, with a fixed length. */
  void putArtifact(String path, Body body) {
    try {
      try (InputStream answer = attempts("PUT artifact " + path, true,
          authorization -> blocking("PUT", artifactUri(path), body, authorization))) {
        answer.readAllBytes(); // read to the end, so the connection can be reused
      }
    } catch (IOException e) {
      throw new TransientRegistryException("Cannot finish PUT artifact " + path + " to MLflow at " + settings.base() + ": " + e, e);
    }
  }

  /**
   * One PUT of {@code body} to {@code <path>} under the artifact proxy, without retries, errors or credential
   * refresh: true when the server took it. For a send begun before all its bytes are there, whose caller sends
   * them again with {@link #putArtifact} when this one did not succeed.
   */
  boolean tryPutArtifact(String path, Body body) {
    try {
      Answer<InputStream> answer = blocking("PUT", artifactUri(path), body, authorization());
      InputStream in = answer.body();
      if (in != null) {
        try (in) {
          in.readAllBytes();
        }
      }
      return answer.status() < 300;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /** Opens an artifact for streaming; a missing one (MLflow answers 500) is {@link NotFoundException}. */
  InputStream getArtifact(String path) {
    return attempts("GET artifact " + path, true, authorization -> blocking("GET", artifactUri(path), null, authorization));
  }

  /** The listing of one artifact directory: {@code files} with {@code path} (relative), {@code is_dir}, {@code file_size}. */
  JsonNode listArtifacts(String dir) {
    HttpResponse<byte[]> response = send("GET", URI.create(settings.base() + ARTIFACTS.substring(0, ARTIFACTS.length() - 1)
        + "?path=" + URLEncoder.encode(dir, StandardCharsets.UTF_8)), HttpRequest.BodyPublishers.noBody(),
        HttpResponse.BodyHandlers.ofByteArray(), "GET artifact listing " + dir, true);
    return json(response.body(), "the artifact listing of " + dir);
  }

  void deleteArtifact(String path) {
    send("DELETE", artifactUri(path), HttpRequest.BodyPublishers.noBody(), HttpResponse.BodyHandlers.discarding(),
        "DELETE artifact " + path, true);
  }

  private URI artifactUri(String path) {
    StringJoiner j = new StringJoiner("/");
    for (String segment : path.split("/")) {
      j.add(URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20"));
    }
    return URI.create(settings.base() + ARTIFACTS + j);
  }

  // ------------------------------------------------------------------ transport

  /** One attempt's answer from either transport: the body when the status is below 300, else the error body. */
  private record Answer<T>(int status, @Nullable T body, byte[] errorBody, @Nullable String retryAfter) {}

  /** One attempt of a request with the given Authorization header (null for none). */
  private interface Attempt<T> {
    Answer<T> send(@Nullable String authorization) throws IOException, InterruptedException;
  }

  /** A request over the JDK {@link HttpClient}, for the JSON API. */
  private <T> HttpResponse<T> send(String method, URI uri, HttpRequest.BodyPublisher body,
      HttpResponse.BodyHandler<T> handler, String what, boolean artifact) {
    return attempts(what, artifact, authorization -> {
      HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(settings.requestTimeout()).method(method, body);
      if (!artifact) {
        b.header("Content-Type", "application/json");
      }
      if (authorization != null) {
        b.header("Authorization", authorization);
      }
      HttpResponse<T> response = client.send(b.build(), handler);
      int status = response.statusCode();
      return status < 300 ? new Answer<>(status, response, new byte[0], null)
          : new Answer<>(status, null, errorBody(response), response.headers().firstValue("Retry-After").orElse(null));
    });
  }

  /**
   * A request for artifact bytes on a blocking {@link HttpURLConnection} in the calling thread: a GET answers the
   * open stream (closing it returns the connection), a PUT streams {@code upload} with a fixed length. Used for
   * the bytes because the JDK {@link HttpClient} hands a large body between its selector thread and the caller
   * in small buffers: against MLflow's gunicorn, which ends artifact downloads by closing the connection, a 10
   * MiB GET took about twice as long through it as on a plain socket, and a PUT about 1.6 times (P8-real in
   * BENCHMARKS.md). {@code PATCH}, which this class cannot send, never carries bytes.
   */
  private Answer<InputStream> blocking(String method, URI uri, @Nullable Body upload, @Nullable String authorization)
      throws IOException {
    HttpURLConnection c = (HttpURLConnection) uri.toURL().openConnection(Proxy.NO_PROXY);
    if (c instanceof HttpsURLConnection https && insecureTls) {
      https.setSSLSocketFactory(trustingEveryCertificate().getSocketFactory());
      https.setHostnameVerifier((host, session) -> true);
    }
    c.setRequestMethod(method);
    c.setConnectTimeout(Math.toIntExact(Math.min(Integer.MAX_VALUE, settings.connectTimeout().toMillis())));
    c.setReadTimeout(Math.toIntExact(Math.min(Integer.MAX_VALUE, settings.requestTimeout().toMillis())));
    c.setInstanceFollowRedirects(false);
    if (authorization != null) {
      c.setRequestProperty("Authorization", authorization);
    }
    if (upload != null) {
      c.setDoOutput(true);
      c.setFixedLengthStreamingMode(upload.size());
      try (OutputStream out = c.getOutputStream()) {
        upload.writeTo(out);
      }
    }
    int status = c.getResponseCode();
    if (status < 300) {
      return new Answer<>(status, c.getInputStream(), new byte[0], null);
    }
    InputStream error = c.getErrorStream();
    byte[] errorBody;
    if (error == null) {
      errorBody = new byte[0];
    } else {
      try (error) {
        errorBody = error.readAllBytes();
      }
    }
    return new Answer<>(status, null, errorBody, c.getHeaderField("Retry-After"));
  }

  /**
   * Runs attempts of one request with the retry, credentials and error rules of the class comment; answers the
   * body of the first answer below 300.
   */
  private <T> T attempts(String what, boolean artifact, Attempt<T> attempt) {
    long backoff = settings.firstBackoff().toMillis();
    RuntimeException last = null;
    boolean refreshed = false;
    for (int n = 1; n <= settings.maxAttempts(); n++) {
      long pause = backoff;
      String authorization = authorization();
      try {
        Answer<T> answer = attempt.send(authorization);
        int status = answer.status();
        if (status < 300) {
          return Objects.requireNonNull(answer.body());
        }
        byte[] errorBody = answer.errorBody();
        if ((status == 401 || status == 403) && !refreshed) {
          // an expired token: let the provider renew it, and ask again (not counted as an attempt)
          refreshed = true;
          settings.credentials().refresh();
          n--;
          continue;
        }
        if (status == 401 || status == 403) {
          throw new RegistryException("MLflow at " + settings.base() + " answered " + status + " to " + what
              + (authorization == null ? ": it needs credentials; set MLFLOW_TRACKING_TOKEN, or MLFLOW_TRACKING_USERNAME and"
                  + " MLFLOW_TRACKING_PASSWORD" : ": the credentials were refused (also after refreshing them)"));
        }
        boolean missingArtifact = artifact && status == 500 && new String(errorBody, StandardCharsets.UTF_8).contains("INTERNAL_ERROR");
        if ((status == 429 || status >= 500) && !missingArtifact) {
          last = new TransientRegistryException("MLflow at " + settings.base() + " answered " + status + " to " + what, null);
          pause = Math.max(pause, retryAfterMillis(answer.retryAfter()));
        } else {
          throw translate(status, errorBody, what, artifact);
        }
      } catch (SSLException e) {
        // A certificate the JVM does not trust does not get better by retrying.
        throw new RegistryException("TLS with MLflow at " + settings.base() + " failed for " + what + ": " + e.getMessage()
            + (insecureTls ? "" : "; for a server with a self-signed certificate add it to the JVM trust store,"
                + " or set MLFLOW_TRACKING_INSECURE_TLS=true on test systems"), e);
      } catch (IOException e) {
        last = new TransientRegistryException("Cannot reach MLflow at " + settings.base() + " for " + what + ": " + e, e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new TransientRegistryException("Interrupted while calling MLflow for " + what, e);
      }
      if (n < settings.maxAttempts()) {
        try {
          ticker.sleep(Duration.ofMillis(pause));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new TransientRegistryException("Interrupted while calling MLflow for " + what, e);
        }
        backoff = Math.min(backoff * 2, 5_000);
      }
    }
    throw new TransientRegistryException(Objects.requireNonNull(last).getMessage() + " (" + settings.maxAttempts()
        + " attempts)", last.getCause());
  }

  /**
   * A server (or the gateway in front of it) that says how long to wait, with {@code Retry-After} in seconds
   * on a 429 or 503, is believed up to 30 s; 0 when it says nothing usable.
   */
  static long retryAfterMillis(@Nullable String header) {
    String value = header == null ? "" : header.trim();
    if (!value.matches("\\d{1,6}")) {
      return 0;
    }
    return Math.min(Long.parseLong(value), 30) * 1000;
  }

  private static byte[] errorBody(HttpResponse<?> response) throws IOException {
    Object body = response.body();
    if (body instanceof byte[]) {
      return (byte[]) body;
    }
    if (body instanceof InputStream) {
      try (InputStream in = (InputStream) body) {
        return in.readAllBytes();
      }
    }
    return new byte[0];
  }

  /** MLflow's error codes as the registry's exceptions. */
  static RuntimeException translate(int status, byte[] body, String what, boolean artifact) {
    String code = "";
    String message = new String(body, StandardCharsets.UTF_8);
    try {
      JsonNode n = JSON.readTree(body);
      if (n != null && n.isObject()) {
        code = n.path("error_code").asText("");
        message = n.path("message").asText(message);
      }
    } catch (IOException e) {
      // not JSON (a 405 answers HTML): keep the raw text
    }
    if (code.equals("RESOURCE_DOES_NOT_EXIST") || artifact && status == 500
        || code.equals("INVALID_PARAMETER_VALUE") && message.contains("alias") && message.contains("not found")) {
      return new NotFoundException(message);
    }
    if (code.equals("RESOURCE_ALREADY_EXISTS")) {
      return new AlreadyExistsException(message);
    }
    if (code.equals("INVALID_PARAMETER_VALUE") || status == 400) {
      return new IllegalArgumentException("MLflow refused " + what + ": " + message);
    }
    if (code.equals("ENDPOINT_NOT_FOUND") || (status == 404 && code.isEmpty() && !artifact)) {
      return new RegistryException("The server has no endpoint for " + what + " (" + status + "): is the URI an MLflow"
          + " tracking server's base address, and is its model registry (or artifact proxy) enabled?");
    }
    return new RegistryException("MLflow answered " + status + " " + code + " to " + what + ": "
        + (message.length() > 300 ? message.substring(0, 300) + "…" : message));
  }
}
