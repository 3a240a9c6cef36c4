package io.modelreg.jdbc;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Skips each test, with the reason and how to run it, when no PostgreSQL is configured ({@link TestDatabase}),
 * before any of its set-up runs; with {@code MODELREG_REQUIRE_PG=1} nothing is skipped, so a missing server
 * fails the tests.
 */
public final class RequiresPostgres implements ExecutionCondition {
  @Override
  public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
    String url = System.getenv(TestDatabase.URL_ENV);
    if (context.getTestMethod().isEmpty() || (url != null && !url.isBlank())
        || "1".equals(System.getenv(TestDatabase.REQUIRE_ENV))) {
      return ConditionEvaluationResult.enabled("PostgreSQL configured, or required");
    }
    return ConditionEvaluationResult.disabled(TestDatabase.HOW_TO_RUN);
  }
}
