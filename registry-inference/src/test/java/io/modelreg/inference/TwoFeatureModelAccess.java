package io.modelreg.inference;

import java.io.IOException;
import java.nio.file.Path;

/** Lets tests in other packages write the two-feature model as ONNX. */
public final class TwoFeatureModelAccess {
  private TwoFeatureModelAccess() {}

  public static void saveOnnx(Path file) throws IOException {
    TwoFeatureModel.train().saveOnnx(file);
  }
}
