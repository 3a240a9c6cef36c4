package io.modelreg.spi;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Immutable, key-sorted copies so records print and serialise deterministically. */
final class Maps {
  private Maps() {}

  static <K extends Comparable<K>, V> Map<K, V> sorted(Map<K, V> map) {
    return Collections.unmodifiableMap(new TreeMap<>(map));
  }

  static <T> List<T> list(List<T> list) {
    return List.copyOf(list);
  }
}
