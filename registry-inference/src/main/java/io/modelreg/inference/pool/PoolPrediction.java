package io.modelreg.inference.pool;

import io.modelreg.ModelVersion;

/**
 * A prediction and the version that made it.
 *
 * @param uri the URI the request asked for (after routing)
 * @param version the version bound to that URI when the request started
 * @param output the model's first output for the row
 */
public record PoolPrediction(String uri, ModelVersion version, float[] output) {}
