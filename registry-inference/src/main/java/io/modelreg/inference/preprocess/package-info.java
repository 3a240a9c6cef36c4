/**
 * Preprocessors fitted in Java and saved as data: standard and min-max scaling, imputation, one-hot and
 * ordinal encoding, column selection, pipelines and per-column transformers. Each step's arithmetic is
 * scikit-learn's definition of the transformer of the same name, written in its javadoc.
 */
@NullMarked
package io.modelreg.inference.preprocess;

import org.jspecify.annotations.NullMarked;
