package io.modelreg.spi;

import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One clause of a version search that the policy layer offers a store to evaluate natively (push-down). The
 * clauses of one search are ANDed. Their meaning is the registry's (see {@link io.modelreg.ModelRegistry} for
 * the grammar): {@code LIKE} patterns use {@code %} and {@code _}, have no escape character and are
 * case-sensitive; a version without the tag does not match a tag clause. A store may drop any clause it cannot express
 * exactly (what it returns is then a superset, which is allowed), but must never return less.
 *
 * @param subject what is compared
 * @param key the tag key for {@link Subject#VERSION_TAG}, else null
 * @param op the comparison
 * @param values one value, or several for {@link Op#IN}; numbers as decimal text
 */
public record SearchClause(Subject subject, @Nullable String key, Op op, List<String> values) {
  /** What a pushed-down clause compares. */
  public enum Subject {
    /** The model name. */
    MODEL_NAME,
    /** The version number. */
    VERSION_NUMBER,
    /** A user tag of the version. */
    VERSION_TAG
  }

  /** The comparisons that can be pushed down. */
  public enum Op {
    EQ,
    LT,
    LE,
    GT,
    GE,
    LIKE,
    IN
  }

  public SearchClause {
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(op, "op");
    values = List.copyOf(values);
    if (values.isEmpty() || (op != Op.IN && values.size() != 1)) {
      throw new IllegalArgumentException("A search clause has one value, or one or more for IN; got " + values);
    }
    if ((subject == Subject.VERSION_TAG) != (key != null)) {
      throw new IllegalArgumentException("A search clause has a key exactly when it compares a version tag");
    }
  }

  /** The single value of a clause that is not {@link Op#IN}. */
  public String value() {
    return values.get(0);
  }
}
