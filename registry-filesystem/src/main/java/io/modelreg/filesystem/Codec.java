package io.modelreg.filesystem;

import io.modelreg.IntegrityException;
import io.modelreg.RegistryEvent;
import io.modelreg.spi.ModelRecord;
import io.modelreg.spi.RecordTrees;
import io.modelreg.spi.TreeReader;
import io.modelreg.spi.VersionRecord;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The on-disk JSON of models, versions and events: {@link RecordTrees}' shapes, models and versions led by
 * a {@code format} number (1) and pretty-printed, events one compact line each. Readers refuse a format
 * newer than this code and name the file in every error.
 */
final class Codec {
  static final int FORMAT = 1;

  private Codec() {}

  static byte[] model(ModelRecord m) {
    return Json.write(withFormat(RecordTrees.model(m)), true);
  }

  static ModelRecord model(byte[] bytes, String source) {
    return RecordTrees.model(checked(bytes, source), source);
  }

  static byte[] version(VersionRecord v) {
    return Json.write(withFormat(RecordTrees.version(v)), true);
  }

  static VersionRecord version(byte[] bytes, String source) {
    return RecordTrees.version(checked(bytes, source), source);
  }

  static byte[] event(RegistryEvent e) {
    return Json.write(RecordTrees.event(e), false);
  }

  static RegistryEvent event(String model, byte[] line, String source) {
    return RecordTrees.event(model, Json.parse(line, source), source);
  }

  private static Map<String, Object> withFormat(Map<String, Object> tree) {
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("format", FORMAT);
    o.putAll(tree);
    return o;
  }

  /** The parsed file, after checking that its format is one this code reads. */
  private static @Nullable Object checked(byte[] bytes, String source) {
    Object tree = Json.parse(bytes, source);
    long format = TreeReader.of(tree, source).lng("format");
    if (format > FORMAT) {
      throw new IntegrityException(source + " has format " + format + " but this modelreg reads format " + FORMAT
          + "; it was written by a newer modelreg: upgrade to read it");
    }
    return tree;
  }
}
