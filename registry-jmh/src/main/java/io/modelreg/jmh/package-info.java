/**
 * {@link io.modelreg.jmh.ModelBenchmark}: an abstract JMH state that opens a registry, loads a model version
 * and feeds rows from your file, so a benchmark of your own model is a subclass with one method per thing to time.
 */
@NullMarked
package io.modelreg.jmh;

import org.jspecify.annotations.NullMarked;
