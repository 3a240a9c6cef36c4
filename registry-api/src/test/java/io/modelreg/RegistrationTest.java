package io.modelreg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RegistrationTest {

  @Test
  void directoryWithALinkPointingOutsideIsRefused(@TempDir Path dir) throws IOException {
    Path model = Files.createDirectories(dir.resolve("model"));
    Files.writeString(model.resolve("ok.txt"), "ok");
    Path secret = Files.writeString(dir.resolve("secret.txt"), "secret");
    Files.createSymbolicLink(model.resolve("leak.txt"), secret);
    assertThatThrownBy(() -> Registration.builder().directory(model)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("outside");
  }

  @Test
  void linksInsideTheDirectoryAreFollowed(@TempDir Path dir) throws IOException {
    Path model = Files.createDirectories(dir.resolve("model"));
    Path real = Files.writeString(model.resolve("weights.bin"), "w");
    Files.createSymbolicLink(model.resolve("alias.bin"), real);
    Registration r = Registration.builder().directory("bundle", model).build();
    assertThat(r.artifacts()).extracting(Registration.Artifact::path)
        .containsExactly("bundle/alias.bin", "bundle/weights.bin");
  }

  @Test
  void missingFilesAreRefusedWhereTheyAreNamed(@TempDir Path dir) {
    assertThatThrownBy(() -> Registration.builder().file(dir.resolve("nope.onnx")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nope.onnx");
    assertThatThrownBy(() -> Registration.builder().directory(dir.resolve("nope")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a directory");
  }

  @Test
  void bytesAreCopied() throws IOException {
    byte[] content = {1, 2, 3};
    Registration r = Registration.builder().bytes("a", content).build();
    content[0] = 9;
    assertThat(r.artifacts().get(0).source().open().readAllBytes()).containsExactly(1, 2, 3);
  }
}
