package io.modelreg.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelreg.spi.RegistryStore;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The README's "must implement" and "may override" tables name exactly the abstract and the default methods
 * of {@link RegistryStore}, so a method added to the SPI shows up in the plugin author's list with its reason.
 */
class ReadmeHooksTest {
  private static final Pattern METHOD = Pattern.compile("`([a-z][A-Za-z]*)(\\(([A-Za-z]*)\\))?`");

  /** Method keys: the name, with the parameter type's simple name where the name is overloaded. */
  private static Set<String> methods(boolean defaults) {
    Method[] all = RegistryStore.class.getDeclaredMethods();
    Set<String> out = new TreeSet<>();
    for (Method m : all) {
      if (Modifier.isStatic(m.getModifiers()) || m.isSynthetic() || m.isDefault() != defaults) {
        continue;
      }
      long sameName = Arrays.stream(all).filter(o -> o.getName().equals(m.getName())).count();
      out.add(sameName == 1 ? m.getName() : m.getName() + "(" + m.getParameterTypes()[0].getSimpleName() + ")");
    }
    return out;
  }

  /** Method keys named in the first column (may override) or every column (must implement) of one table. */
  private static Set<String> listed(String readme, String heading, boolean firstColumnOnly) {
    int start = readme.indexOf(heading);
    String table = readme.substring(readme.indexOf("\n|", start), readme.indexOf("\n\n", readme.indexOf("\n|", start) + 1));
    Set<String> out = new TreeSet<>();
    for (String row : table.split("\n")) {
      if (!row.startsWith("| ") || row.startsWith("| area") || row.startsWith("| method")) {
        continue;
      }
      String cells = firstColumnOnly ? row.split("\\|")[1] : row.substring(row.indexOf('|', 1));
      Matcher m = METHOD.matcher(cells);
      while (m.find()) {
        String type = m.group(3);
        boolean typeName = type != null && !type.isEmpty() && Character.isUpperCase(type.charAt(0));
        out.add(typeName ? m.group(1) + "(" + type + ")" : m.group(1));
      }
    }
    return out;
  }

  @Test
  void theMustImplementAndMayOverrideTablesNameExactlyTheSpisAbstractAndDefaultMethods() throws IOException {
    String readme = Files.readString(Path.of("README.md"));
    assertThat(listed(readme, "**Must implement**", false)).isEqualTo(methods(false));
    assertThat(listed(readme, "**May override**", true)).isEqualTo(methods(true));
    assertThat(readme).contains("**Must implement** (" + methods(false).size() + " methods")
        .contains("**May override** (" + methods(true).size() + " methods");
  }
}
