package io.modelreg;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@link ModelRegistries#copy} did: the model's name in the target, each copied source version number
 * with the number it got in the target, and, in words, everything that was not carried over as it was.
 *
 * @param name the model in the target
 * @param numbers source version number → target version number, in copy order
 * @param notCarried one sentence per thing that differs in the target (renumbered versions, aliases left
 *     behind, history), empty when the copy is exact
 */
public record CopyReport(String name, Map<Integer, Integer> numbers, List<String> notCarried) {
  public CopyReport {
    numbers = Collections.unmodifiableMap(new LinkedHashMap<>(numbers));
    notCarried = List.copyOf(notCarried);
  }
}
