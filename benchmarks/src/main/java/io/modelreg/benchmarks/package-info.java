/**
 * JMH suites, one class per operation, the backend chosen by an enum {@code @Param}. Each suite measures
 * its baseline in the same run so {@code BENCHMARKS.md} can state ratios.
 */
@NullMarked
package io.modelreg.benchmarks;

import org.jspecify.annotations.NullMarked;
