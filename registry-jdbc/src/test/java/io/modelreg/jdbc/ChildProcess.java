package io.modelreg.jdbc;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code java} process running a main class of the test class path (it inherits the environment, so it
 * reaches the same PostgreSQL), whose stdout lines are collected as they come.
 */
final class ChildProcess implements AutoCloseable {
  private final Process process;
  private final List<String> lines = new CopyOnWriteArrayList<>();
  private final Thread reader;

  ChildProcess(Class<?> main, String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx128m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
        main.getName()));
    command.addAll(List.of(args));
    process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line = r.readLine(); line != null; line = r.readLine()) {
          lines.add(line);
        }
      } catch (IOException e) {
        // the process was killed: what it printed so far is kept
      }
    }, "child-stdout");
    reader.setDaemon(true);
    reader.start();
  }

  /** Whether a line equal to {@code expected} arrived within {@code seconds}; false if the process ended first. */
  boolean awaitLine(String expected, long seconds) throws InterruptedException {
    return awaitLine(expected::equals, seconds);
  }

  /** Whether a line {@code matching} arrived within {@code seconds}; false if the process ended first. */
  boolean awaitLine(java.util.function.Predicate<String> matching, long seconds) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (System.nanoTime() < deadline) {
      if (lines.stream().anyMatch(matching)) {
        return true;
      }
      if (!process.isAlive()) {
        reader.join(TimeUnit.SECONDS.toMillis(5));
        return lines.stream().anyMatch(matching);
      }
      Thread.sleep(10); // waiting on another process's output
    }
    return false;
  }

  /** The exit code; fails the test if the process runs longer than {@code seconds}. */
  int waitFor(long seconds) throws InterruptedException {
    if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("child did not finish within " + seconds + " s; output: " + lines);
    }
    reader.join(TimeUnit.SECONDS.toMillis(10));
    return process.exitValue();
  }

  /** SIGKILL: the process gets no chance to clean up, as in a crash. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
    reader.join(TimeUnit.SECONDS.toMillis(10));
  }

  List<String> lines() {
    return List.copyOf(lines);
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      kill();
    }
  }
}
