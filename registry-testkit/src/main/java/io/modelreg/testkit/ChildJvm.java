package io.modelreg.testkit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A real child {@code java} process running a main class of the test class path, for the multi-process and crash
 * tests a backend needs beyond the kit (several processes registering on one model, a writer killed midway). It
 * inherits the environment (so it reaches the same database or directory) and runs with a small heap, C1 only and
 * the serial collector, which start fastest on a small machine; its stdout lines are collected as they come, and
 * stderr is dropped. {@link #kill} is SIGKILL: the process gets no chance to clean up, as in a crash.
 *
 * <pre>{@code
 * try (ChildJvm child = new ChildJvm(Writer.class, root.toString())) {
 *   assertThat(child.awaitLine("READY", 120)).isTrue();
 *   child.kill();
 * }
 * }</pre>
 */
public final class ChildJvm implements AutoCloseable {
  private final Process process;
  private final List<String> lines = new CopyOnWriteArrayList<>();
  private final Thread reader;

  /** Starts {@code main} with {@code args} in a new JVM on this JVM's class path. */
  public ChildJvm(Class<?> main, String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
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

  /** Whether a line equal to {@code expected} was printed within {@code seconds}; false if the process ended first. */
  public boolean awaitLine(String expected, long seconds) throws InterruptedException {
    return awaitLine(expected::equals, seconds);
  }

  /** Whether a line {@code matching} was printed within {@code seconds}; false if the process ended first. */
  public boolean awaitLine(Predicate<String> matching, long seconds) throws InterruptedException {
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
  public int waitFor(long seconds) throws InterruptedException {
    if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("child did not finish within " + seconds + " s; output: " + lines);
    }
    reader.join(TimeUnit.SECONDS.toMillis(10));
    return process.exitValue();
  }

  /** SIGKILL, then waits until the process is gone. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
    reader.join(TimeUnit.SECONDS.toMillis(10));
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** Every stdout line so far. */
  public List<String> lines() {
    return List.copyOf(lines);
  }

  /** Kills the process if it still runs (an interrupt while waiting for it is kept for the caller). */
  @Override
  public void close() {
    if (process.isAlive()) {
      try {
        kill();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
