package io.modelreg;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The commit checked out in a git working directory and whether it has uncommitted changes, read by running
 * the {@code git} command ({@code rev-parse HEAD}, {@code status --porcelain}); behind
 * {@link Lineage.Builder#gitCommitOf}.
 */
record GitHead(String commit, boolean dirty) {
  static final long TIMEOUT_SECONDS = 10;
  private static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}|[0-9a-f]{64}");

  /**
   * The head of the work tree that contains {@code directory}; empty when git is not installed, the directory
   * is not in a work tree, the repository has no commit yet, or git does not answer within 10 s.
   */
  static Optional<GitHead> of(Path directory) {
    String commit = run(directory, "rev-parse", "HEAD");
    if (commit == null || !COMMIT.matcher(commit.strip()).matches()) {
      return Optional.empty();
    }
    String status = run(directory, "status", "--porcelain");
    return status == null ? Optional.empty() : Optional.of(new GitHead(commit.strip(), !status.isBlank()));
  }

  /** Runs git in {@code directory}; its output, or null when it cannot run, fails or takes too long. */
  private static @Nullable String run(Path directory, String... args) {
    if (!Files.isDirectory(directory)) {
      return null;
    }
    Path out = null;
    try {
      // output to a file, not a pipe: a large status cannot block git while we wait for it to end
      out = Files.createTempFile("modelreg-git", ".out");
      String[] command = new String[args.length + 1];
      command[0] = "git";
      System.arraycopy(args, 0, command, 1, args.length);
      Process p = new ProcessBuilder(command).directory(directory.toFile())
          .redirectInput(ProcessBuilder.Redirect.from(new File(nullDevice())))
          .redirectOutput(out.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
      if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return null;
      }
      return p.exitValue() == 0 ? Files.readString(out, StandardCharsets.UTF_8) : null;
    } catch (IOException e) {
      return null; // git is not installed, or the temporary file cannot be written
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    } finally {
      if (out != null) {
        try {
          Files.deleteIfExists(out);
        } catch (IOException e) {
          // a few bytes in the temporary directory; nothing to report
        }
      }
    }
  }

  private static String nullDevice() {
    return File.separatorChar == '\\' ? "NUL" : "/dev/null";
  }
}
