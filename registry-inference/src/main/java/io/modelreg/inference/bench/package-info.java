/**
 * Benchmarks of model versions on the user's own rows: {@link io.modelreg.inference.bench.BenchInput} reads
 * a CSV or JSON-lines file (optionally with a label column), {@link io.modelreg.inference.bench.Bench} times
 * single-row and batched predictions of several versions interleaved, {@link
 * io.modelreg.inference.bench.LatencySummary} states percentiles with their confidence intervals, {@link
 * io.modelreg.inference.bench.QualityMetrics} scores predictions against the labels, and {@link
 * io.modelreg.inference.bench.BenchResult} records it all on each version as a metric run with its conditions.
 * Time comes from an injected {@link io.modelreg.Ticker}, so the statistics are tested on synthetic timings.
 */
@NullMarked
package io.modelreg.inference.bench;

import org.jspecify.annotations.NullMarked;
