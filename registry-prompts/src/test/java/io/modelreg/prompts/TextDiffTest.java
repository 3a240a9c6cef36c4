package io.modelreg.prompts;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Unified diffs of prompt texts. Every expected text below is what CPython 3.11's {@code difflib.unified_diff(a.split("\n"),
 * b.split("\n"), "A", "B", lineterm="")} prints (the same hunks as {@code diff -u}), joined with newlines.
 */
class TextDiffTest {
  private static String lines(int from, int to, int... upper) {
    return IntStream.rangeClosed(from, to).mapToObj(i -> (IntStream.of(upper).anyMatch(u -> u == i) ? "L" : "l") + i)
        .collect(Collectors.joining("\n"));
  }

  @Test
  void equalTextsHaveAnEmptyDiff() {
    assertThat(TextDiff.unified("a\nb", "a\nb", "A", "B")).isEmpty();
  }

  @Test
  void aOneLineChangeHasOneLineRangesWithoutCounts() {
    // the bug this test is named after: ranges of one line were written "1,1", which diff -u and difflib write "1"
    assertThat(TextDiff.unified("Hello {name}!", "Hi {name}!", "A", "B"))
        .isEqualTo("--- A\n+++ B\n@@ -1 +1 @@\n-Hello {name}!\n+Hi {name}!\n");
  }

  @Test
  void aChangeInTheMiddleHasThreeLinesOfContextEachSide() {
    assertThat(TextDiff.unified("a\nb\nc\nd\ne\nf\ng\nh\ni", "a\nb\nc\nd\nE\nf\ng\nh\ni", "A", "B"))
        .isEqualTo("--- A\n+++ B\n@@ -2,7 +2,7 @@\n b\n c\n d\n-e\n+E\n f\n g\n h\n");
  }

  @Test
  void changesFarApartAreTwoHunks() {
    assertThat(TextDiff.unified(lines(1, 20), lines(1, 20, 2, 19), "A", "B")).isEqualTo("--- A\n+++ B\n"
        + "@@ -1,5 +1,5 @@\n l1\n-l2\n+L2\n l3\n l4\n l5\n"
        + "@@ -16,5 +16,5 @@\n l16\n l17\n l18\n-l19\n+L19\n l20\n");
  }

  @Test
  void changesWithinSixLinesShareOneHunk() {
    assertThat(TextDiff.unified(lines(1, 15), lines(1, 15, 2, 9), "A", "B")).isEqualTo("--- A\n+++ B\n"
        + "@@ -1,12 +1,12 @@\n l1\n-l2\n+L2\n l3\n l4\n l5\n l6\n l7\n l8\n-l9\n+L9\n l10\n l11\n l12\n");
  }

  @Test
  void insertionsAtTheEndAndTheStart() {
    assertThat(TextDiff.unified("a\nb", "a\nb\nc", "A", "B")).isEqualTo("--- A\n+++ B\n@@ -1,2 +1,3 @@\n a\n b\n+c\n");
    assertThat(TextDiff.unified("a\nb", "z\na\nb", "A", "B")).isEqualTo("--- A\n+++ B\n@@ -1,2 +1,3 @@\n+z\n a\n b\n");
  }

  @Test
  void deletingEverythingLeavesOneEmptyLineAndDeletionsComeFirst() {
    assertThat(TextDiff.unified("a\nb", "", "A", "B")).isEqualTo("--- A\n+++ B\n@@ -1,2 +1 @@\n-a\n-b\n+\n");
  }

  @Test
  void theLabelsAreTheHeaders() {
    assertThat(TextDiff.unified("x", "y", "prompts:/greet/1", "prompts:/greet/2"))
        .startsWith("--- prompts:/greet/1\n+++ prompts:/greet/2\n");
  }
}
