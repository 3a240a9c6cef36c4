package io.modelreg.inference.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.modelreg.Digest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchInputTest {
  @TempDir Path dir;

  @Test
  void csvCellsBecomeNumbersTextOrMissingAndTheLabelColumnIsTakenOut() throws Exception {
    String text = "tenure,plan,note,churned\n3,basic,\"a, quoted \"\"cell\"\"\",yes\n 60 ,enterprise,,no\n\n";
    Path csv = Files.writeString(dir.resolve("rows.csv"), text);
    BenchInput in = BenchInput.read(csv, "churned");
    assertThat(in.rows()).hasSize(2);
    assertThat(in.rows().get(0)).containsExactly(Map.entry("tenure", 3.0), Map.entry("plan", "basic"),
        Map.entry("note", "a, quoted \"cell\""));
    Map<String, Object> second = new HashMap<>(in.rows().get(1));
    assertThat(second).containsEntry("tenure", 60.0).containsEntry("note", null);
    assertThat(in.labels()).containsExactly("yes", "no");
    assertThat(in.labelColumn()).isEqualTo("churned");
    assertThat(in.columns()).containsExactly("tenure", "plan", "note");
    assertThat(in.digest()).isEqualTo(Digest.of(text.getBytes(StandardCharsets.UTF_8)));
    assertThatThrownBy(() -> in.rows().get(0).put("x", 1)).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void headerNamesAreTrimmedAndAByteOrderMarkIsNotPartOfTheFirstName() throws Exception {
    byte[] withBom = ("\uFEFFtenure , plan\r\n3, basic\r\n").getBytes(StandardCharsets.UTF_8);
    BenchInput in = BenchInput.read(Files.write(dir.resolve("excel.csv"), withBom), null);
    assertThat(in.rows().get(0)).containsExactly(Map.entry("tenure", 3.0), Map.entry("plan", "basic"));
  }

  @Test
  void jsonLinesKeepNumbersTextAndNulls() throws Exception {
    Path jsonl = Files.writeString(dir.resolve("rows.jsonl"), "{\"a\": 1.5, \"b\": \"x\", \"c\": null, \"y\": 0}\n\n{\"a\": 2, \"b\": \"z\", \"c\": 3, \"y\": 1}\n");
    BenchInput in = BenchInput.read(jsonl, "y");
    assertThat(in.rows()).hasSize(2);
    assertThat(in.rows().get(0).get("a")).isEqualTo(1.5);
    assertThat(in.rows().get(0).containsKey("c")).isTrue();
    assertThat(in.labels()).containsExactly(0.0, 1.0);
    assertThat(BenchInput.read(jsonl, null).labels()).isEmpty();
  }

  @Test
  void badInputSaysWhatIsWrong() throws Exception {
    Path csv = Files.writeString(dir.resolve("rows.csv"), "a,b\n1,2\n");
    assertThatThrownBy(() -> BenchInput.read(csv, "label")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage(csv + " has no label column 'label'; its columns are [a, b]");
    Path noLabel = Files.writeString(dir.resolve("nolabel.csv"), "a,y\n1,\n");
    assertThatThrownBy(() -> BenchInput.read(noLabel, "y")).hasMessage("Row 1 of " + noLabel + " has no value in the label column 'y'");
    Path headerOnly = Files.writeString(dir.resolve("header.csv"), "a,b\n");
    assertThatThrownBy(() -> BenchInput.read(headerOnly, null)).hasMessage(headerOnly + " has no rows");
    Path empty = Files.writeString(dir.resolve("empty.csv"), "");
    assertThatThrownBy(() -> BenchInput.read(empty, null)).hasMessageContaining("is empty; expected a header line");
    Path ragged = Files.writeString(dir.resolve("ragged.csv"), "a,b\n1\n");
    assertThatThrownBy(() -> BenchInput.read(ragged, null)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is not valid CSV");
    Path notObject = Files.writeString(dir.resolve("x.jsonl"), "[1, 2]\n");
    assertThatThrownBy(() -> BenchInput.read(notObject, null)).hasMessage("Line 1 of " + notObject + " is not a JSON object");
    Path broken = Files.writeString(dir.resolve("y.jsonl"), "{\"a\": \n");
    assertThatThrownBy(() -> BenchInput.read(broken, null)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is not valid JSON lines");
    assertThatThrownBy(() -> BenchInput.read(dir.resolve("absent.csv"), null)).isInstanceOf(java.io.UncheckedIOException.class)
        .hasMessageContaining("Cannot read the input file");
  }
}
