package io.modelreg.prompts;

import java.util.ArrayList;
import java.util.List;

/** A unified diff of two texts by lines (LCS), with three lines of context, as {@code diff -u} prints it. */
final class TextDiff {
  private static final int CONTEXT = 3;

  private TextDiff() {}

  static String unified(String a, String b, String fromLabel, String toLabel) {
    String[] x = a.split("\n", -1);
    String[] y = b.split("\n", -1);
    int[][] lcs = new int[x.length + 1][y.length + 1];
    for (int i = x.length - 1; i >= 0; i--) {
      for (int j = y.length - 1; j >= 0; j--) {
        lcs[i][j] = x[i].equals(y[j]) ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
      }
    }
    // edit script: ' ' keep, '-' delete, '+' insert, with line numbers
    List<char[]> ops = new ArrayList<>();
    List<String> lines = new ArrayList<>();
    List<int[]> pos = new ArrayList<>();
    int i = 0;
    int j = 0;
    while (i < x.length || j < y.length) {
      if (i < x.length && j < y.length && x[i].equals(y[j])) {
        ops.add(new char[] {' '});
        lines.add(x[i]);
        pos.add(new int[] {i++, j++});
      } else if (i < x.length && (j == y.length || lcs[i + 1][j] >= lcs[i][j + 1])) {
        ops.add(new char[] {'-'}); // deletions before insertions, as diff -u prints them
        lines.add(x[i]);
        pos.add(new int[] {i++, j});
      } else {
        ops.add(new char[] {'+'});
        lines.add(y[j]);
        pos.add(new int[] {i, j++});
      }
    }
    StringBuilder out = new StringBuilder();
    int k = 0;
    while (k < ops.size()) {
      if (ops.get(k)[0] == ' ') {
        k++;
        continue;
      }
      int start = Math.max(0, k - CONTEXT);
      int end = k;
      int lastChange = k;
      while (end < ops.size()) {
        if (ops.get(end)[0] != ' ') {
          lastChange = end;
        } else if (end - lastChange > 2 * CONTEXT) {
          break;
        }
        end++;
      }
      end = Math.min(ops.size(), lastChange + CONTEXT + 1);
      if (out.length() == 0) {
        out.append("--- ").append(fromLabel).append('\n').append("+++ ").append(toLabel).append('\n');
      }
      int aStart = pos.get(start)[0];
      int bStart = pos.get(start)[1];
      int aCount = 0;
      int bCount = 0;
      StringBuilder hunk = new StringBuilder();
      for (int h = start; h < end; h++) {
        char op = ops.get(h)[0];
        hunk.append(op).append(lines.get(h)).append('\n');
        if (op != '+') {
          aCount++;
        }
        if (op != '-') {
          bCount++;
        }
      }
      out.append("@@ -").append(range(aStart, aCount)).append(" +").append(range(bStart, bCount)).append(" @@\n").append(hunk);
      k = end;
    }
    return out.toString();
  }

  /** A hunk's range as diff -u writes it: {@code start,count}, just {@code start} for one line, {@code start-1,0} for none. */
  private static String range(int start, int count) {
    return count == 1 ? Integer.toString(start + 1) : count == 0 ? start + ",0" : (start + 1) + "," + count;
  }
}
