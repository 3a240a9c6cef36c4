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
 * <p>The policy layer offers a store only the subjects it names in {@link
 * io.modelreg.spi.RegistryStore#searchSubjects()} (by default the first three, the ones that existed before
 * metrics, stages and aliases could be pushed down), so a store written before a subject was added never sees it.
 *
 * @param subject what is compared
 * @param key the tag key for {@link Subject#VERSION_TAG}, the metric for {@link Subject#VERSION_METRIC}, else null
 * @param op the comparison
 * @param values one value, or several for {@link Op#IN}; numbers as decimal text ({@link Double#toString} for
 *     metrics, so also {@code NaN}, {@code Infinity}, {@code 1.0E-5}); stages as {@link io.modelreg.Stage} names
 */
public record SearchClause(Subject subject, @Nullable String key, Op op, List<String> values) {
  /** What a pushed-down clause compares. */
  public enum Subject {
    /** The model name. */
    MODEL_NAME,
    /** The version number. */
    VERSION_NUMBER,
    /** A user tag of the version. */
    VERSION_TAG,
    /**
     * The current value of a metric ({@link io.modelreg.ModelVersion#latestMetric}: the last metric run that has
     * it, else the value given at registration), compared as a {@code double} with {@link Double#compare}; a
     * version without the metric does not match. Ops: {@code EQ LT LE GT GE IN}.
     */
    VERSION_METRIC,
    /**
     * The version's stage, by {@link io.modelreg.Stage} name. Never offered with {@code DEVELOPMENT} (the stage
     * of every version the model record names no stage for), so a store compares the stages it stores. Ops:
     * {@code EQ IN}.
     */
    STAGE,
    /**
     * An alias of the version: matches when any of its aliases is equal to a value. Never offered with the
     * managed aliases ({@code production}, {@code staging}, which follow the stages), so a store compares the
     * aliases users set. Ops: {@code EQ IN}.
     */
    ALIAS
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
    if ((subject == Subject.VERSION_TAG || subject == Subject.VERSION_METRIC) != (key != null)) {
      throw new IllegalArgumentException("A search clause has a key exactly when it compares a version tag or metric");
    }
  }

  /** The single value of a clause that is not {@link Op#IN}. */
  public String value() {
    return values.get(0);
  }
}
