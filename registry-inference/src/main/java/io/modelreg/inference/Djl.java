package io.modelreg.inference;

import ai.djl.engine.Engine;

/**
 * DJL with ONNX Runtime, offline. The properties are set before DJL reads them, unless the user set them:
 * {@code ai.djl.offline=true} stops DJL's start-up telemetry call and any download, and {@code
 * ai.djl.onnx.disable_alternative=true} stops it looking for a second engine to download.
 */
final class Djl {
  static final String ENGINE = "OnnxRuntime";

  private Djl() {}

  private static final class Holder {
    static final Engine ENGINE_INSTANCE = start();

    private static Engine start() {
      if (System.getProperty("ai.djl.offline") == null) {
        System.setProperty("ai.djl.offline", "true");
      }
      if (System.getProperty("ai.djl.onnx.disable_alternative") == null) {
        System.setProperty("ai.djl.onnx.disable_alternative", "true");
      }
      return Engine.getEngine(ENGINE);
    }
  }

  /** The ONNX Runtime engine, started once per JVM with the offline settings. */
  static Engine engine() {
    return Holder.ENGINE_INSTANCE;
  }
}
