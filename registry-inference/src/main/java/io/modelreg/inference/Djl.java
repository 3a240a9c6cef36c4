package io.modelreg.inference;

import ai.djl.engine.Engine;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * DJL with ONNX Runtime, offline. The properties are set before DJL reads them, unless the user set them:
 * {@code ai.djl.offline=true} stops DJL's start-up telemetry call and any download, and {@code
 * ai.djl.onnx.disable_alternative=true} stops it looking for a second engine to download.
 */
final class Djl {
  static final String ENGINE = "OnnxRuntime";

  private Djl() {}

  private static volatile @Nullable Engine engine;

  /**
   * The ONNX Runtime engine, started once per JVM with the offline settings. The first call also puts ONNX
   * Runtime's native libraries under {@code cacheRoot} ({@link OnnxRuntimeNatives}); later calls ignore it.
   */
  static Engine engine(Path cacheRoot) {
    Engine e = engine;
    if (e != null) {
      return e;
    }
    synchronized (Djl.class) {
      e = engine;
      if (e == null) {
        OnnxRuntimeNatives.prepare(cacheRoot);
        if (System.getProperty("ai.djl.offline") == null) {
          System.setProperty("ai.djl.offline", "true");
        }
        if (System.getProperty("ai.djl.onnx.disable_alternative") == null) {
          System.setProperty("ai.djl.onnx.disable_alternative", "true");
        }
        e = Engine.getEngine(ENGINE);
        OnnxRuntimeNatives.removeLoaderTempDirectory();
        engine = e;
      }
      return e;
    }
  }
}
