package io.modelreg.prompts;

/**
 * A template that cannot be parsed. The message gives the line and column, the line itself with a caret
 * under the problem, and a hint for the fix.
 */
public class TemplateSyntaxException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;
  private final int line;
  private final int column;
  private final String hint;

  TemplateSyntaxException(String problem, String template, int offset, String hint) {
    super(message(problem, template, offset, hint));
    int[] lc = lineAndColumn(template, offset);
    this.line = lc[0];
    this.column = lc[1];
    this.hint = hint;
  }

  /** 1-based line of the problem. */
  public int line() {
    return line;
  }

  /** 1-based column of the problem. */
  public int column() {
    return column;
  }

  /** How to fix it. */
  public String hint() {
    return hint;
  }

  static int[] lineAndColumn(String text, int offset) {
    int line = 1;
    int start = 0;
    for (int i = 0; i < Math.min(offset, text.length()); i++) {
      if (text.charAt(i) == '\n') {
        line++;
        start = i + 1;
      }
    }
    return new int[] {line, offset - start + 1};
  }

  private static String message(String problem, String text, int offset, String hint) {
    int[] lc = lineAndColumn(text, offset);
    int start = offset - (lc[1] - 1);
    int end = text.indexOf('\n', start);
    String lineText = text.substring(start, end < 0 ? text.length() : end);
    return problem + " at line " + lc[0] + ", column " + lc[1] + "\n  " + lineText + "\n  " + " ".repeat(lc[1] - 1)
        + "^\n  hint: " + hint;
  }
}
