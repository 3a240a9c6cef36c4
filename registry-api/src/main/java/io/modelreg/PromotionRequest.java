package io.modelreg;

import org.jspecify.annotations.Nullable;

/**
 * A stage transition being checked by a {@link PromotionPolicy}.
 *
 * @param version the version to move, as it is now
 * @param from its current stage
 * @param to the target stage
 * @param actor who asks
 * @param currentHolder the version holding {@code to} now when {@code to} is PRODUCTION, else null
 */
public record PromotionRequest(
    ModelVersion version, Stage from, Stage to, String actor, @Nullable ModelVersion currentHolder) {}
