package io.modelreg.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The README's example store test is {@link MemoryStoreCompatibilityTest}, word for word. */
class ReadmeExampleTest {
  @Test
  void readmeShowsTheMemoryStoreTest() throws IOException {
    String source = Files.readString(Path.of("src/test/java/io/modelreg/testkit/MemoryStoreCompatibilityTest.java"));
    String body = source.substring(source.indexOf("class MemoryStoreCompatibilityTest")).strip();
    assertThat(Files.readString(Path.of("README.md"))).contains("```java\n" + body + "\n```");
  }
}
