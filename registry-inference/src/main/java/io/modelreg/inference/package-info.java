/**
 * Model bundles and prediction: {@link io.modelreg.inference.ModelBundle} writes a model version as an
 * MLflow model directory (MLmodel, model.onnx, input example, fitted preprocessor as JSON data), and
 * {@link io.modelreg.inference.ModelPredictor} loads one by URI and predicts through DJL's ONNX Runtime
 * engine, offline.
 */
@NullMarked
package io.modelreg.inference;

import org.jspecify.annotations.NullMarked;
