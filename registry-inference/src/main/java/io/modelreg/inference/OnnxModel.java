package io.modelreg.inference;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.onnxruntime.engine.OrtNDManager;
import ai.djl.onnxruntime.engine.OrtSymbolBlock;
import ai.djl.training.ParameterStore;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One ONNX model loaded through DJL's ONNX Runtime engine. Calls go to the model's block directly (the
 * ONNX Runtime session behind it is thread-safe); outputs are copied into Java arrays while the call's
 * native memory is still open, then released with the call's child NDManager.
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

  /** Copies a call's outputs into Java arrays while its native memory is open. */
  private static final class OutputCopy {
    private OutputCopy() {}

    static Outputs outputs(NDList list) {
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

  private final OrtNDManager manager;
  private final OrtSymbolBlock block;
  private final String subject;

  private OnnxModel(OrtNDManager manager, OrtSymbolBlock block, String subject) {
    this.manager = manager;
    this.block = block;
    this.subject = subject;
  }

  /**
   * Creates the ONNX Runtime session ourselves, with the execution provider chosen explicitly, and hands it
   * to DJL as a block on a CPU manager. Loading through DJL's {@code Criteria} asked DJL for its default device,
   * which probes CUDA (a WARN on every CPU machine), and looked for the ONNX extensions library (an INFO).
   */
  static OnnxModel load(Path modelFile, String subject, Path cacheRoot, ExecutionProvider provider) {
    Engine engine = Djl.engine(cacheRoot);
    String file = String.valueOf(modelFile.getFileName());
    OrtSession session;
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      Providers.apply(provider, options, subject);
      session = OrtEnvironment.getEnvironment().createSession(modelFile.toString(), options);
    } catch (OrtException | RuntimeException e) {
      throw new InvalidBundleException(subject + ": ONNX Runtime cannot load " + file + " (" + e.getMessage() + ")", e);
    }
    OrtNDManager manager = (OrtNDManager) engine.newBaseManager(Device.cpu());
    return new OnnxModel(manager, new OrtSymbolBlock(session, manager), subject);
  }

  /**
   * Runs one batch straight through the model's block (ONNX Runtime's session is thread-safe), in a child
   * NDManager closed at the end of the call; DJL's Predictor would add a translator context per call.
   */
  Outputs run(Batch batch) {
    try (NDManager call = manager.newSubManager()) {
      NDList input = new NDList(call.create(batch.data(), new Shape(batch.rows(), batch.columns())));
      NDList output = block.forward(new ParameterStore(call, false), input, false);
      return OutputCopy.outputs(output);
    } catch (RuntimeException e) {
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
    block.close();
    manager.close();
  }
}
