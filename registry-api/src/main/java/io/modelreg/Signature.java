package io.modelreg;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Named, typed inputs and outputs of a model, in MLflow's two flavours: column-based (a name and a
 * scalar type such as {@code double} or {@code string}) and tensor-based (a dtype such as {@code
 * float32} and a shape where {@code -1} is a variable dimension).
 *
 * @param inputs the model inputs, in order
 * @param outputs the model outputs, in order
 */
public record Signature(List<Field> inputs, List<Field> outputs) {

  public Signature {
    inputs = List.copyOf(inputs);
    outputs = List.copyOf(outputs);
  }

  /**
   * One input or output.
   *
   * @param name the column or tensor name; tensors may be unnamed
   * @param type the MLflow type name: column types {@code boolean integer long float double string
   *     binary datetime}, tensor dtypes {@code float32 float64 int8 int16 int32 int64 uint8 bool str}
   * @param shape the tensor shape ({@code -1} = any), or null for a column
   * @param required whether the column must be present (columns only; tensors are always required)
   */
  public record Field(@Nullable String name, String type, @Nullable List<Long> shape, boolean required) {
    public Field {
      if (type.isBlank()) {
        throw new IllegalArgumentException("A signature field needs a type");
      }
      if (shape != null) {
        shape = List.copyOf(shape);
        for (Long d : shape) {
          if (d < -1 || d == 0) {
            throw new IllegalArgumentException("Tensor dimension " + d + " of '" + name
                + "' is invalid; use -1 for a variable dimension or a positive size");
          }
        }
      }
    }

    /** A required column. */
    public static Field column(String name, String type) {
      return new Field(name, type, null, true);
    }

    /** A named tensor. */
    public static Field tensor(@Nullable String name, String dtype, long... shape) {
      List<Long> dims = new ArrayList<>();
      for (long d : shape) {
        dims.add(d);
      }
      return new Field(name, dtype, dims, true);
    }

    /** Whether this describes a tensor rather than a column. */
    public boolean isTensor() {
      return shape != null;
    }

    @Override
    public String toString() {
      return (name == null ? "<unnamed>" : name) + ":" + type + (shape == null ? "" : shape.toString())
          + (required ? "" : "?");
    }
  }

  /**
   * Differences from {@code this} (the old signature) to {@code other}, one line per changed, added or
   * removed input and output, matched by name when every field has one and by position otherwise; empty
   * when both are the same.
   */
  public List<String> differences(Signature other) {
    List<String> out = new ArrayList<>();
    diff("input", inputs, other.inputs, out);
    diff("output", outputs, other.outputs, out);
    return out;
  }

  private static void diff(String kind, List<Field> a, List<Field> b, List<String> out) {
    if (allNamed(a) && allNamed(b)) {
      java.util.Map<String, Field> before = new java.util.LinkedHashMap<>();
      a.forEach(f -> before.put(String.valueOf(f.name()), f));
      java.util.Map<String, Field> after = new java.util.LinkedHashMap<>();
      b.forEach(f -> after.put(String.valueOf(f.name()), f));
      before.forEach((name, f) -> {
        Field g = after.get(name);
        if (g == null) {
          out.add(kind + " removed: " + f);
        } else if (!g.equals(f)) {
          out.add(kind + " changed: " + f + " -> " + g);
        }
      });
      after.forEach((name, g) -> {
        if (!before.containsKey(name)) {
          out.add(kind + " added: " + g);
        }
      });
      return;
    }
    int n = Math.max(a.size(), b.size());
    for (int i = 0; i < n; i++) {
      Field x = i < a.size() ? a.get(i) : null;
      Field y = i < b.size() ? b.get(i) : null;
      if (x == null && y != null) {
        out.add(kind + " added: " + y);
      } else if (y == null && x != null) {
        out.add(kind + " removed: " + x);
      } else if (x != null && !Objects.equals(x, y)) {
        out.add(kind + " " + i + " changed: " + x + " -> " + y);
      }
    }
  }

  private static boolean allNamed(List<Field> fields) {
    for (Field f : fields) {
      if (f.name() == null) {
        return false;
      }
    }
    return true;
  }
}
