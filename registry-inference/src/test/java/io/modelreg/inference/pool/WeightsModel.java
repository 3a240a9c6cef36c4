package io.modelreg.inference.pool;

import ai.onnx.proto.OnnxMl;
import com.google.protobuf.UnsafeByteOperations;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;

/**
 * An ONNX model that costs a chosen amount of memory: one float initializer {@code W} of the given size, and
 * an output that looks weights up at indices computed from the input ({@code Y = W[int64(|X|)]}), so ONNX
 * Runtime has to keep every weight and cannot fold the graph away. Input {@code X} is {@code [N, 2]} float
 * (features {@code f00}, {@code f01}), output {@code Y} is {@code [N, 2]}.
 */
final class WeightsModel {
  private WeightsModel() {}

  /** The weight {@code W[i]} of a model written with {@code seed}, for {@code i} below 2. */
  static float weight(int seed, int i) {
    Random r = new Random(seed);
    float w = r.nextFloat();
    for (int k = 0; k < i; k++) {
      w = r.nextFloat();
    }
    return w;
  }

  /** The serialized model with {@code bytes / 4} float weights drawn from {@code new Random(seed)}. */
  static byte[] onnx(long bytes, int seed) {
    byte[] raw = new byte[Math.toIntExact(bytes / 4 * 4)];
    ByteBuffer floats = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
    Random r = new Random(seed);
    while (floats.hasRemaining()) {
      floats.putFloat(r.nextFloat());
    }
    OnnxMl.TensorProto w = OnnxMl.TensorProto.newBuilder().setName("W").addDims(raw.length / 4)
        .setDataType(OnnxMl.TensorProto.DataType.FLOAT.getNumber())
        .setRawData(UnsafeByteOperations.unsafeWrap(raw)).build(); // no second copy of the weights
    OnnxMl.GraphProto graph = OnnxMl.GraphProto.newBuilder().setName("weights")
        .addInitializer(w)
        .addInput(valueInfo("X", OnnxMl.TensorProto.DataType.FLOAT))
        .addOutput(valueInfo("Y", OnnxMl.TensorProto.DataType.FLOAT))
        .addNode(OnnxMl.NodeProto.newBuilder().setOpType("Abs").addInput("X").addOutput("A"))
        .addNode(OnnxMl.NodeProto.newBuilder().setOpType("Cast").addInput("A").addOutput("I")
            .addAttribute(intAttribute("to", OnnxMl.TensorProto.DataType.INT64.getNumber())))
        .addNode(OnnxMl.NodeProto.newBuilder().setOpType("Gather").addInput("W").addInput("I").addOutput("Y")
            .addAttribute(intAttribute("axis", 0)))
        .build();
    return OnnxMl.ModelProto.newBuilder().setIrVersion(8).setProducerName("modelreg-test")
        .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setVersion(13)).setGraph(graph).build().toByteArray();
  }

  private static OnnxMl.AttributeProto intAttribute(String name, long value) {
    return OnnxMl.AttributeProto.newBuilder().setName(name).setType(OnnxMl.AttributeProto.AttributeType.INT)
        .setI(value).build();
  }

  private static OnnxMl.ValueInfoProto valueInfo(String name, OnnxMl.TensorProto.DataType type) {
    OnnxMl.TensorShapeProto shape = OnnxMl.TensorShapeProto.newBuilder()
        .addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimParam("N"))
        .addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimValue(2)).build();
    return OnnxMl.ValueInfoProto.newBuilder().setName(name).setType(OnnxMl.TypeProto.newBuilder()
        .setTensorType(OnnxMl.TypeProto.Tensor.newBuilder().setElemType(type.getNumber()).setShape(shape))).build();
  }
}
