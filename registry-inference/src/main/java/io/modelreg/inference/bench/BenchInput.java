package io.modelreg.inference.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import io.modelreg.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Rows to predict, read from a user's file, with the label of each row when a label column is named.
 *
 * <p>Formats, chosen by the file name: {@code .csv} (a header line, then one row per line; RFC 4180 quoting)
 * and anything else as JSON lines (one object per line; blank lines skipped). A cell that parses as a number
 * is a {@code Double}; an empty CSV cell or a JSON {@code null} is {@code null} (missing, for an imputer);
 * anything else is its text. The label column is taken out of the rows, so the rows are exactly what the
 * model is given. The SHA-256 of the file's bytes is kept so a recorded benchmark names the data it ran on.
 */
public final class BenchInput {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final CsvMapper CSV = new CsvMapper();

  private final String source;
  private final Digest digest;
  private final List<Map<String, @Nullable Object>> rows;
  private final @Nullable String labelColumn;
  private final List<Object> labels;

  private BenchInput(String source, Digest digest, List<Map<String, @Nullable Object>> rows, @Nullable String labelColumn,
      List<Object> labels) {
    this.source = source;
    this.digest = digest;
    this.rows = Collections.unmodifiableList(rows);
    this.labelColumn = labelColumn;
    this.labels = Collections.unmodifiableList(labels);
  }

  /**
   * Reads {@code file}.
   *
   * @param labelColumn the column holding the true label (class or number), or null when there is none
   * @throws IllegalArgumentException when the file is empty, has no rows, is not valid CSV / JSON lines, lacks
   *     the label column, or a row has no label
   * @throws UncheckedIOException when the file cannot be read
   */
  public static BenchInput read(Path file, @Nullable String labelColumn) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the input file " + file + ": " + e.getMessage(), e);
    }
    String name = file.getFileName() == null ? file.toString() : file.getFileName().toString();
    boolean csv = name.toLowerCase(Locale.ROOT).endsWith(".csv");
    return parse(file.toString(), bytes, csv, labelColumn);
  }

  /**
   * Parses rows from bytes ({@code csv} or JSON lines), for input that is not a file ({@code -} for stdin).
   *
   * @throws IllegalArgumentException as {@link #read}
   */
  public static BenchInput parse(String source, byte[] bytes, boolean csv, @Nullable String labelColumn) {
    List<Map<String, @Nullable Object>> rows;
    try {
      rows = csv ? csv(source, bytes) : jsonLines(source, bytes);
    } catch (IOException e) {
      throw new IllegalArgumentException(source + " is not valid " + (csv ? "CSV" : "JSON lines") + ": "
          + firstLine(e), e);
    }
    if (rows.isEmpty()) {
      throw new IllegalArgumentException(source + " has no rows");
    }
    List<Object> labels = new ArrayList<>();
    if (labelColumn != null) {
      for (int i = 0; i < rows.size(); i++) {
        Map<String, @Nullable Object> row = rows.get(i);
        if (!row.containsKey(labelColumn)) {
          throw new IllegalArgumentException(source + " has no label column '" + labelColumn + "'"
              + (i == 0 ? "; its columns are " + row.keySet() : " in row " + (i + 1)));
        }
        Object label = row.remove(labelColumn);
        if (label == null) {
          throw new IllegalArgumentException("Row " + (i + 1) + " of " + source + " has no value in the label column '"
              + labelColumn + "'");
        }
        labels.add(label);
      }
    }
    rows.replaceAll(Collections::unmodifiableMap);
    return new BenchInput(source, Digest.of(bytes), rows, labelColumn, labels);
  }

  private static List<Map<String, @Nullable Object>> csv(String source, byte[] bytes) throws IOException {
    if (bytes.length == 0) {
      throw new IllegalArgumentException(source + " is empty; expected a header line");
    }
    List<Map<String, @Nullable Object>> rows = new ArrayList<>();
    CsvSchema schema = CsvSchema.emptySchema().withHeader().withColumnReordering(false);
    try (MappingIterator<Map<String, String>> it = CSV.readerForMapOf(String.class).with(schema)
        .with(CsvParser.Feature.FAIL_ON_MISSING_COLUMNS).with(CsvParser.Feature.SKIP_EMPTY_LINES)
        .with(CsvParser.Feature.TRIM_SPACES).readValues(bytes)) {
      int line = 1;
      while (it.hasNextValue()) {
        line++;
        Map<String, String> cells = it.nextValue();
        Map<String, @Nullable Object> row = new LinkedHashMap<>();
        cells.forEach((k, v) -> row.put(k, cell(v)));
        rows.add(row);
      }
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(source + " is not valid CSV: " + firstLine(e), e);
    }
    return rows;
  }

  /** The first line of an exception's message (Jackson appends the source location on later lines). */
  private static String firstLine(Exception e) {
    String m = e.getMessage();
    return m == null ? e.getClass().getSimpleName() : m.lines().findFirst().orElse("");
  }

  private static @Nullable Object cell(@Nullable String text) {
    if (text == null || text.isEmpty()) {
      return null;
    }
    try {
      return Double.parseDouble(text);
    } catch (NumberFormatException e) {
      return text;
    }
  }

  private static List<Map<String, @Nullable Object>> jsonLines(String source, byte[] bytes) throws IOException {
    List<Map<String, @Nullable Object>> rows = new ArrayList<>();
    int n = 0;
    for (String line : new String(bytes, StandardCharsets.UTF_8).split("\n", -1)) {
      n++;
      if (line.isBlank()) {
        continue;
      }
      JsonNode node = JSON.readTree(line);
      if (node == null || !node.isObject()) {
        throw new IllegalArgumentException("Line " + n + " of " + source + " is not a JSON object");
      }
      Map<String, @Nullable Object> row = new LinkedHashMap<>();
      for (Map.Entry<String, JsonNode> e : node.properties()) {
        JsonNode v = e.getValue();
        row.put(e.getKey(), v.isNumber() ? (Object) v.asDouble() : v.isNull() ? null : v.isTextual() ? v.asText() : v.toString());
      }
      rows.add(row);
    }
    return rows;
  }

  /** Reads all of {@code in} (standard input, say) as JSON lines. */
  public static BenchInput jsonLines(String source, InputStream in, @Nullable String labelColumn) {
    try {
      return parse(source, in.readAllBytes(), false, labelColumn);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + source + ": " + e.getMessage(), e);
    }
  }

  /** Where the rows came from (the file name as given). */
  public String source() {
    return source;
  }

  /** SHA-256 of the file's bytes. */
  public Digest digest() {
    return digest;
  }

  /** The rows, without the label column; unmodifiable. */
  public List<Map<String, @Nullable Object>> rows() {
    return rows;
  }

  /** The label column, if one was named. */
  public @Nullable String labelColumn() {
    return labelColumn;
  }

  /** The label of each row, in row order ({@code Double} or {@code String}); empty without a label column. */
  public List<Object> labels() {
    return labels;
  }

  /**
   * The distinct batches of {@code size} consecutive rows, wrapping around at the end, that together cover every
   * row: {@code ceil(n / size)} batches. A batch within the rows is a view; one that wraps is a copy.
   *
   * @throws IllegalArgumentException when there are no rows or size is not positive
   */
  public static List<List<? extends Map<String, ?>>> batches(List<? extends Map<String, ?>> rows, int size) {
    if (rows.isEmpty() || size < 1) {
      throw new IllegalArgumentException("Batches need rows and a size of at least 1; got " + rows.size() + " rows, size " + size);
    }
    int n = rows.size();
    int count = (n + size - 1) / size;
    List<List<? extends Map<String, ?>>> out = new ArrayList<>();
    for (int k = 0; k < count; k++) {
      int from = k * size % n;
      if (from + size <= n) {
        out.add(rows.subList(from, from + size));
      } else {
        List<Map<String, ?>> batch = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
          batch.add(rows.get((from + i) % n));
        }
        out.add(Collections.unmodifiableList(batch));
      }
    }
    return out;
  }

  /** The distinct column names of the rows, in first-seen order. */
  public Set<String> columns() {
    Map<String, Boolean> seen = new LinkedHashMap<>();
    for (Map<String, @Nullable Object> row : rows) {
      row.keySet().forEach(k -> seen.put(k, true));
    }
    return Collections.unmodifiableSet(seen.keySet());
  }
}
