package io.modelreg.inference;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Starts {@link ServingChild} in a separate JVM with this test's class path spelled out on the command line. */
final class ChildJvm {
  private ChildJvm() {}

  /**
   * The class path of the test JVM. Surefire starts tests from a manifest-only jar, so {@code java.class.path}
   * may name only that jar; it publishes the real path as {@code surefire.test.class.path}.
   */
  static String classPath() {
    String real = System.getProperty("surefire.test.class.path");
    return real != null && !real.isBlank() ? real : System.getProperty("java.class.path");
  }

  static List<String> command(List<String> jvmOptions, String... args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Dai.djl.offline=true");
    command.add("-Dai.djl.onnx.disable_alternative=true");
    command.add("-Xmx256m");
    command.addAll(jvmOptions);
    command.add("-cp");
    command.add(classPath());
    command.add(ServingChild.class.getName());
    command.addAll(List.of(args));
    return command;
  }

  /** Length of the command as /proc/self/cmdline holds it: each argument and its NUL. */
  static int cmdlineLength(List<String> command) {
    int n = 0;
    for (String s : command) {
      n += s.getBytes(StandardCharsets.UTF_8).length + 1;
    }
    return n;
  }

  /** A started child and the lines it printed so far (stdout and stderr). */
  static final class Child {
    final Process process;
    final List<String> lines = new ArrayList<>();
    private final BufferedReader in;

    Child(Process process) {
      this.process = process;
      this.in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    /** Reads the child's output until it prints {@code READY} (true) or its output ends (false). */
    boolean awaitReady() throws IOException {
      String line;
      while ((line = in.readLine()) != null) {
        lines.add(line);
        if (line.equals("READY")) {
          return true;
        }
      }
      return false;
    }

    /** Reads the rest of the output and waits for the exit code. */
    int finish() throws IOException, InterruptedException {
      while (awaitReady()) {
        // keep reading to the end
      }
      return process.waitFor();
    }

    /** Kills the child (SIGKILL) and waits until it is gone. */
    void kill() throws InterruptedException {
      process.destroyForcibly();
      process.waitFor();
    }

    String line(String prefix) {
      return lines.stream().filter(l -> l.startsWith(prefix)).map(l -> l.substring(prefix.length())).findFirst()
          .orElseThrow(() -> new AssertionError("the child printed no '" + prefix.trim() + "' line: " + lines));
    }
  }

  static Child start(List<String> command) throws IOException {
    return new Child(new ProcessBuilder(command).redirectErrorStream(true).start());
  }
}
