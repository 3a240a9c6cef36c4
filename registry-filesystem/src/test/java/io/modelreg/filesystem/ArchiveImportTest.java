package io.modelreg.filesystem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.modelreg.IntegrityException;
import io.modelreg.ModelArchive;
import io.modelreg.ModelRegistries;
import io.modelreg.ModelRegistry;
import io.modelreg.ModelVersion;
import io.modelreg.Registration;
import io.modelreg.Stage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link ModelArchive} on the {@code file:} store: a damaged archive leaves the directory without a trace of it. */
class ArchiveImportTest {
  @TempDir Path dir;

  @Test
  void anArchiveWithOneFlippedBitInTheLastVersionImportsNothing() throws IOException {
    Path archive = dir.resolve("churn.zip");
    try (ModelRegistry source = ModelRegistries.open(dir.resolve("source").toUri())) {
      for (int i = 1; i <= 3; i++) {
        source.register("churn", Registration.builder()
            .bytes("model.onnx", ("weights " + i).getBytes(StandardCharsets.UTF_8)).semver("1." + i + ".0").build());
      }
      source.transition("churn", 2, Stage.STAGING);
      source.setAlias("churn", "candidate", 3);
      ModelArchive.export(source, "churn", archive);
    }
    Path damaged = dir.resolve("damaged.zip");
    try (ZipFile in = new ZipFile(archive.toFile()); OutputStream raw = Files.newOutputStream(damaged);
        ZipOutputStream out = new ZipOutputStream(raw)) {
      for (ZipEntry e : Collections.list(in.entries())) {
        byte[] bytes = in.getInputStream(e).readAllBytes();
        if (e.getName().equals("versions/3/model.onnx")) {
          bytes[0] ^= 0x10;
        }
        out.putNextEntry(new ZipEntry(e.getName()));
        out.write(bytes);
        out.closeEntry();
      }
    }

    Path targetDir = dir.resolve("target");
    try (ModelRegistry target = ModelRegistries.open(targetDir.toUri())) {
      assertThatThrownBy(() -> ModelArchive.importInto(target, damaged, null))
          .isInstanceOf(IntegrityException.class)
          .hasMessageContaining("model.onnx of version 3").hasMessageContaining("nothing was imported");
      assertThat(target.listModels()).isEmpty();
      assertThat(target.gc().deleted()).as("not a byte of the archive was uploaded").isZero();
      try (Stream<Path> files = Files.walk(targetDir)) {
        assertThat(files.map(p -> targetDir.relativize(p).toString())).noneMatch(p -> p.contains("churn"));
      }

      ModelArchive.importInto(target, archive, null);
      assertThat(target.listVersions("churn")).extracting(ModelVersion::number).containsExactly(1, 2, 3);
      assertThat(target.resolve("models:/churn@candidate").number()).isEqualTo(3);
      assertThat(target.verify().isClean()).isTrue();
    }
  }
}
