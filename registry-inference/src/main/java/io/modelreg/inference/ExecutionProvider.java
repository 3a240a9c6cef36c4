package io.modelreg.inference;

/**
 * Where ONNX Runtime runs a model. {@link #AUTO} (the default) takes CUDA when ONNX Runtime's native build
 * offers it and a session can be created with it, otherwise the CPU; CoreML is used only when asked for,
 * because it compiles each model on load and supports a subset of operators, which small tabular models do
 * not repay. A provider asked for explicitly that this build or machine cannot give is an error naming the
 * providers it can give.
 */
public enum ExecutionProvider {
  /** CUDA when available and usable, else CPU. */
  AUTO,
  /** ONNX Runtime's CPU provider. */
  CPU,
  /** NVIDIA CUDA, device 0 (needs the {@code onnxruntime_gpu} build). */
  CUDA,
  /** Apple CoreML (ONNX Runtime's macOS arm64 build). */
  COREML
}
