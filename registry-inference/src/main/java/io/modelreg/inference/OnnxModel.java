package io.modelreg.inference;

import ai.djl.MalformedModelException;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.NoBatchifyTranslator;
import ai.djl.translate.TranslateException;
import ai.djl.translate.TranslatorContext;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One ONNX model loaded through DJL's ONNX Runtime engine, with a pool of DJL predictors (a predictor is
 * not thread-safe; the ONNX Runtime session behind them is). Outputs are copied into Java arrays while the
 * call's native memory is still open, then released.
 */
final class OnnxModel implements AutoCloseable {
  /** A row-major batch of features. */
  record Batch(float[] data, int rows, int columns) {}

  /** Every output of one call, flattened row-major, with its name and shape. */
  record Outputs(List<String> names, List<float[]> values, List<long[]> shapes) {
    int index(String name) {
      int i = names.indexOf(name);
      if (i < 0) {
        throw new IllegalArgumentException("The model has no output '" + name + "'; its outputs are " + names);
      }
      return i;
    }
  }

  private static final class BatchTranslator implements NoBatchifyTranslator<Batch, Outputs> {
    @Override
    public NDList processInput(TranslatorContext ctx, Batch batch) {
      return new NDList(ctx.getNDManager().create(batch.data(), new Shape(batch.rows(), batch.columns())));
    }

    @Override
    public Outputs processOutput(TranslatorContext ctx, NDList list) {
      List<String> names = new ArrayList<>();
      List<float[]> values = new ArrayList<>();
      List<long[]> shapes = new ArrayList<>();
      for (int i = 0; i < list.size(); i++) {
        NDArray a = list.get(i);
        String name = a.getName();
        names.add(name == null || name.isEmpty() ? "output_" + i : name);
        values.add(toFloats(a));
        shapes.add(a.getShape().getShape());
      }
      return new Outputs(names, values, shapes);
    }

    /** Plain copies: ONNX Runtime arrays in DJL cannot do arithmetic without a second engine. */
    private static float[] toFloats(NDArray a) {
      DataType type = a.getDataType();
      if (type == DataType.FLOAT32) {
        return a.toFloatArray();
      }
      float[] out;
      if (type == DataType.FLOAT64) {
        double[] d = a.toDoubleArray();
        out = new float[d.length];
        for (int i = 0; i < d.length; i++) {
          out[i] = (float) d[i];
        }
      } else if (type == DataType.INT64) {
        long[] l = a.toLongArray();
        out = new float[l.length];
        for (int i = 0; i < l.length; i++) {
          out[i] = l[i];
        }
      } else if (type == DataType.INT32) {
        int[] n = a.toIntArray();
        out = new float[n.length];
        for (int i = 0; i < n.length; i++) {
          out[i] = n[i];
        }
      } else {
        throw new IllegalStateException("Model output of type " + type + " is not supported; export numeric tensors"
            + " (for scikit-learn classifiers, disable ZipMap)");
      }
      return out;
    }
  }

  private final ZooModel<Batch, Outputs> model;
  private final ConcurrentLinkedDeque<Predictor<Batch, Outputs>> idle = new ConcurrentLinkedDeque<>();
  private final AtomicInteger idleCount = new AtomicInteger();
  private final int maxIdle;
  private final String subject;

  private OnnxModel(ZooModel<Batch, Outputs> model, int maxIdle, String subject) {
    this.model = model;
    this.maxIdle = maxIdle;
    this.subject = subject;
  }

  static OnnxModel load(Path modelFile, int maxIdle, String subject) {
    Djl.engine();
    String file = String.valueOf(modelFile.getFileName());
    String name = file.endsWith(".onnx") ? file.substring(0, file.length() - 5) : file;
    Criteria<Batch, Outputs> criteria = Criteria.builder()
        .setTypes(Batch.class, Outputs.class)
        .optModelPath(modelFile.getParent())
        .optModelName(name)
        .optEngine(Djl.ENGINE)
        .optTranslator(new BatchTranslator())
        .build();
    try {
      return new OnnxModel(criteria.loadModel(), maxIdle, subject);
    } catch (ModelNotFoundException | MalformedModelException | IOException | RuntimeException e) {
      throw new InvalidBundleException(subject + ": ONNX Runtime cannot load " + file + " (" + e.getMessage() + ")", e);
    }
  }

  Outputs run(Batch batch) {
    Predictor<Batch, Outputs> p = idle.pollFirst();
    if (p != null) {
      idleCount.decrementAndGet();
    } else {
      p = model.newPredictor();
    }
    try {
      Outputs out = p.predict(batch);
      if (idleCount.incrementAndGet() <= maxIdle) {
        idle.offerFirst(p);
      } else {
        idleCount.decrementAndGet();
        p.close();
      }
      return out;
    } catch (TranslateException | RuntimeException e) {
      p.close();
      throw new IllegalArgumentException(subject + ": the model rejected a batch of " + batch.rows() + " × "
          + batch.columns() + " features: " + rootMessage(e), e);
    }
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return String.valueOf(t.getMessage());
  }

  @Override
  public void close() {
    Predictor<Batch, Outputs> p;
    while ((p = idle.pollFirst()) != null) {
      p.close();
    }
    model.close();
  }
}
