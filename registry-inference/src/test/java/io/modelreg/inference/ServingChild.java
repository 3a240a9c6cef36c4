package io.modelreg.inference;

import io.modelreg.ModelRegistries;
import io.modelreg.ModelRegistry;
import io.modelreg.ModelUri;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * The main class of the child JVMs started by {@link ChildJvm}: loads one model from a file registry (twice),
 * predicts one row and prints the answer and where ONNX Runtime's library was mapped from; with {@code hold}
 * it then waits on stdin so the parent can kill it while the model is loaded.
 *
 * <p>Arguments: registry directory, cache directory, model URI, {@code exit} or {@code hold}.
 */
public final class ServingChild {
  static final Map<String, Object> ROW = Map.of("f00", 0.5, "f01", -1.0);

  private ServingChild() {}

  public static void main(String[] args) throws IOException {
    try (ModelRegistry registry = ModelRegistries.open(Path.of(args[0]).toUri());
        ModelPredictor predictor = ModelPredictor.load(registry, ModelUri.parse(args[2]),
            PredictorOptions.defaults().cacheDirectory(Path.of(args[1])))) {
      System.out.println("PREDICTION " + Arrays.toString(predictor.predict(ROW)));
      try (ModelPredictor again = ModelPredictor.load(registry, ModelUri.parse(args[2]),
          PredictorOptions.defaults().cacheDirectory(Path.of(args[1])))) {
        again.predict(ROW); // a second load in the same JVM, for the say-it-once check
      }
      System.out.println("NATIVE " + mappedOnnxRuntime());
      System.out.println("READY");
      System.out.flush();
      if (args[3].equals("hold")) {
        System.in.read(); // the parent kills this process before anything arrives
      }
    }
  }

  /** The file libonnxruntime was mapped from, read from /proc/self/maps. */
  private static String mappedOnnxRuntime() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/maps"), StandardCharsets.UTF_8)) {
      int slash = line.indexOf('/');
      if (slash >= 0 && line.contains("libonnxruntime.so")) {
        return line.substring(slash);
      }
    }
    return "none";
  }
}
