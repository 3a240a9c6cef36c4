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
   * Gives DJL its default device (the CPU) before anything asks for it. DJL works the default out by probing
   * for CUDA — it creates session options with the CUDA provider and logs a WARN when that fails, which is
   * every CPU machine — and its ONNX Runtime array manager asks for it when first used. DJL has no setter, so
   * the private field is set reflectively; where that is refused the probe runs as before. The device is only
   * where DJL's arrays are said to live: {@link OnnxModel} creates the ONNX Runtime sessions with the execution
   * provider it chooses.
   */
  private static void settleDefaultDevice(Engine e) {
    try {
      java.lang.reflect.Field field = Engine.class.getDeclaredField("defaultDevice");
      field.setAccessible(true);
      if (field.get(e) == null) {
        field.set(e, ai.djl.Device.cpu());
      }
    } catch (ReflectiveOperationException | RuntimeException ex) {
      org.slf4j.LoggerFactory.getLogger(Djl.class).debug("Cannot set DJL's default device: {}", ex.toString());
    }
  }

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
        settleDefaultDevice(e);
        engine = e;
      }
      return e;
    }
  }
}
