package io.modelreg.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * MLflow's Python client as a child process running {@code benchmarks/python/p8_real.py}: it is told which
 * operation to run for how long (or how many times), times each call itself with {@code
 * time.perf_counter_ns}, and answers with the number of calls and the nanoseconds they took, so the Java side
 * can interleave rounds of it with its own JMH iterations. Start-up, pipes and JSON are outside the timing.
 *
 * <p>The Python interpreter is {@code -Dmodelreg.bench.python} (default {@code python3}; it must import
 * {@code mlflow}), the script {@code -Dmodelreg.bench.python-script} (default {@code
 * benchmarks/python/p8_real.py}, relative to the working directory).
 */
final class PythonMlflowSide implements AutoCloseable {
  /** One round: {@code calls} calls in {@code nanos} nanoseconds of call time. */
  record Round(String op, long calls, long nanos) {
    double millisPerCall() {
      return nanos / 1e6 / calls;
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Process process;
  private final Writer in;
  private final BufferedReader out;

  /** Starts the worker against {@code server}; the arguments name the models and the file it works on. */
  PythonMlflowSide(URI server, String resolveModel, String searchFilter, String registerModel, String downloadModel,
      Path file, String busyModel) throws IOException {
    String python = System.getProperty("modelreg.bench.python", "python3");
    Path script = Path.of(System.getProperty("modelreg.bench.python-script", "benchmarks/python/p8_real.py"))
        .toAbsolutePath();
    if (!Files.isRegularFile(script)) {
      throw new IllegalStateException("The Python side's script is not at " + script + "; run from the repository root"
          + " or set -Dmodelreg.bench.python-script=PATH");
    }
    process = new ProcessBuilder(List.of(python, script.toString(), server.toString(), resolveModel, searchFilter,
        registerModel, downloadModel, file.toAbsolutePath().toString(), busyModel))
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    JsonNode hello = answer();
    if (!hello.path("ready").asBoolean()) {
      throw new IllegalStateException("The Python side answered " + hello + " instead of being ready");
    }
  }

  /** Runs {@code op} repeatedly for about {@code seconds} of call time. */
  Round runFor(String op, double seconds) throws IOException {
    return ask(Map.of("op", op, "seconds", seconds));
  }

  /** Runs {@code op} exactly {@code calls} times. */
  Round runTimes(String op, int calls) throws IOException {
    return ask(Map.of("op", op, "calls", calls));
  }

  private Round ask(Map<String, Object> command) throws IOException {
    in.write(JSON.writeValueAsString(command) + "\n");
    in.flush();
    JsonNode a = answer();
    return new Round(a.path("op").asText(), a.path("calls").asLong(), a.path("ns").asLong());
  }

  private JsonNode answer() throws IOException {
    String line = out.readLine();
    if (line == null) {
      throw new IllegalStateException("The Python side ended (exit " + exitCode() + "); its error output is above");
    }
    return JSON.readTree(line);
  }

  private String exitCode() {
    try {
      return process.waitFor(5, TimeUnit.SECONDS) ? Integer.toString(process.exitValue()) : "still running";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "unknown";
    }
  }

  @Override
  public void close() throws IOException {
    in.close();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroy();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroy();
    }
  }
}
