package io.modelreg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Git lineage against real repositories made with {@code git init} in a temporary directory. */
class GitHeadTest {
  @TempDir Path dir;
  private Path repo;

  private static String git(Path dir, String... args) throws IOException, InterruptedException {
    String[] command = new String[args.length + 5];
    command[0] = "git";
    command[1] = "-c";
    command[2] = "user.email=test@example.com";
    command[3] = "-c";
    command[4] = "user.name=test";
    System.arraycopy(args, 0, command, 5, args.length);
    Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    return out.strip();
  }

  @BeforeEach
  void repository() throws Exception {
    boolean installed;
    try {
      installed = new ProcessBuilder("git", "--version").start().waitFor(30, TimeUnit.SECONDS);
    } catch (IOException e) {
      installed = false;
    }
    assumeTrue(installed, "git is not installed");
    repo = Files.createDirectories(dir.resolve("repo"));
    git(repo, "init", "-q");
    Files.writeString(repo.resolve("train.py"), "print('train')\n");
    git(repo, "add", "train.py");
    git(repo, "commit", "-q", "-m", "first");
  }

  @Test
  void aCleanWorkTreeGivesItsHeadCommitAndNotDirty() throws Exception {
    Lineage lineage = Lineage.builder().gitCommitOf(repo).build();

    assertThat(lineage.gitCommit()).isEqualTo(git(repo, "rev-parse", "HEAD")).matches("[0-9a-f]{40}");
    assertThat(lineage.gitDirty()).isFalse();
  }

  @Test
  void aChangedOrUntrackedFileMakesItDirty() throws Exception {
    Files.writeString(repo.resolve("train.py"), "print('changed')\n");
    assertThat(Lineage.builder().gitCommitOf(repo).build().gitDirty()).isTrue();
    git(repo, "checkout", "--", "train.py");
    Files.writeString(repo.resolve("model.bin"), "untracked");
    assertThat(Lineage.builder().gitCommitOf(repo).build().gitDirty()).isTrue();
  }

  @Test
  void aSubdirectoryOfTheWorkTreeGivesTheSameCommit() throws Exception {
    Path sub = Files.createDirectories(repo.resolve("models/churn"));
    assertThat(Lineage.builder().gitCommitOf(sub).build().gitCommit()).isEqualTo(git(repo, "rev-parse", "HEAD"));
  }

  @Test
  void aNewCommitIsSeen() throws Exception {
    String first = Lineage.builder().gitCommitOf(repo).build().gitCommit();
    Files.writeString(repo.resolve("train.py"), "print('v2')\n");
    git(repo, "commit", "-q", "-am", "second");
    assertThat(Lineage.builder().gitCommitOf(repo).build().gitCommit()).isNotEqualTo(first)
        .isEqualTo(git(repo, "rev-parse", "HEAD"));
  }

  @Test
  void outsideAWorkTreeOrBeforeTheFirstCommitNothingIsRecorded() throws Exception {
    Path plain = Files.createDirectories(dir.resolve("plain"));
    assumeTrue(GitHead.of(plain.getParent().getParent()).isEmpty(), "the temporary directory is inside a git work tree");
    assertThat(Lineage.builder().gitCommitOf(plain).build().isEmpty()).isTrue();

    Path fresh = Files.createDirectories(dir.resolve("fresh"));
    git(fresh, "init", "-q");
    assertThat(Lineage.builder().gitCommitOf(fresh).build().gitCommit()).isNull();

    assertThat(Lineage.builder().gitCommitOf(dir.resolve("missing")).build().isEmpty()).isTrue();
  }

  @Test
  void otherFactsAreKept() {
    Lineage lineage = Lineage.builder().runId("r1").gitCommitOf(repo).dataset("d").build();
    assertThat(lineage.runId()).isEqualTo("r1");
    assertThat(lineage.datasets()).containsExactly("d");
    assertThat(lineage.gitCommit()).isNotNull();
  }
}
