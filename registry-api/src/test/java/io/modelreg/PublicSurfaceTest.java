package io.modelreg;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The README's list of public types, each with its reason, is the module's real public surface. */
class PublicSurfaceTest {

  /** Simple names of the public top-level types compiled from src/main. */
  private static Set<String> publicTypes() throws IOException, URISyntaxException, ClassNotFoundException {
    Path classes = Path.of(ModelRegistry.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    Set<String> out = new TreeSet<>();
    try (Stream<Path> walk = Files.walk(classes)) {
      for (Path p : walk.filter(f -> f.toString().endsWith(".class")).toList()) {
        String rel = classes.relativize(p).toString().replace('\\', '/');
        if (rel.contains("$") || rel.endsWith("package-info.class")) {
          continue;
        }
        Class<?> c = Class.forName(rel.substring(0, rel.length() - ".class".length()).replace('/', '.'), false,
            PublicSurfaceTest.class.getClassLoader());
        if (Modifier.isPublic(c.getModifiers())) {
          out.add(c.getSimpleName());
        }
      }
    }
    return out;
  }

  /** The types the README's table and lists under "The public surface" name, and the count it states. */
  private static String surfaceSection() throws IOException {
    String readme = Files.readString(Path.of("README.md"), StandardCharsets.UTF_8);
    return readme.substring(readme.indexOf("## The public surface"), readme.indexOf("## Where the policy"));
  }

  @Test
  void everyPublicTypeIsListedWithItsReasonAndEveryListedTypeIsPublic() throws Exception {
    Set<String> actual = publicTypes();
    String section = surfaceSection();
    String listed = section.substring(0, section.indexOf("Made package-private in this round"));
    Set<String> named = new TreeSet<>();
    Matcher m = Pattern.compile("^\\| (.+?) \\|", Pattern.MULTILINE).matcher(listed);
    while (m.find()) {
      Matcher t = Pattern.compile("`([A-Z][A-Za-z]+)`").matcher(m.group(1));
      while (t.find()) {
        named.add(t.group(1));
      }
    }
    for (String paragraph : listed.split("\n\n")) {
      if (paragraph.startsWith("**SPI") || paragraph.startsWith("**`mem:`")) {
        Matcher t = Pattern.compile("`([A-Z][A-Za-z]+)`").matcher(paragraph);
        while (t.find()) {
          named.add(t.group(1));
        }
      }
    }
    assertThat(named).as("types the README lists as public").isEqualTo(actual);
    assertThat(section).startsWith("## The public surface\n\n" + actual.size() + " public top-level types");
  }
}
