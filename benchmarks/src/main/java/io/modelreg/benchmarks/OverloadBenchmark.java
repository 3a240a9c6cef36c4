package io.modelreg.benchmarks;

import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.google.protobuf.ByteString;
import io.modelreg.ModelRegistries;
import io.modelreg.ModelRegistry;
import io.modelreg.ModelUri;
import io.modelreg.Registration;
import io.modelreg.inference.ModelBundle;
import io.modelreg.inference.ModelPredictor;
import io.modelreg.inference.PredictorOptions;
import io.modelreg.inference.pool.MemoryBudget;
import io.modelreg.inference.pool.ModelPool;
import io.modelreg.inference.pool.PoolSnapshot;
import io.modelreg.inference.preprocess.Preprocessor;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * P9: the pool under overload. {@code models} ONNX models, each with a {@code sizeMb} MB weight tensor (made
 * here with ONNX's protobuf classes: the output gathers 16 weights at indices computed from the input, so ONNX
 * Runtime cannot fold the weights away), a budget of {@code budgetMb} MB, and {@code threads} threads that
 * each pick a random model and predict, for {@code seconds} seconds. One single shot; the figures of the run
 * are printed as {@code P9 ...} lines: requests answered and failed, request time p50/p99 (waiting for room
 * plus loading plus predicting), throughput; the limit set by loading — ONNX Runtime alone creating a session
 * for the same file, measured in the same fork before the run — and peak resident growth against the budget
 * (peak {@code VmHWM} after resetting it through {@code /proc/self/clear_refs}).
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar OverloadBenchmark -p seconds=30}
 */
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {"-Dai.djl.offline=true", "-Dai.djl.onnx.disable_alternative=true", "-Xmx1g"})
@Warmup(iterations = 0)
@Measurement(iterations = 1)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.SECONDS)
public class OverloadBenchmark {
  private static final int FEATURES = 16;
  private static final long MB = 1 << 20;

  @Param("6")
  public int models;

  @Param("100")
  public int sizeMb;

  @Param("700")
  public int budgetMb;

  @Param("4")
  public int threads;

  @Param("30")
  public int seconds;

  private Path scratch;
  private ModelRegistry registry;
  private PredictorOptions options;
  private long sessionCreateNanos;
  private Map<String, Object> row;

  @Setup(Level.Trial)
  public void setUp() throws IOException, OrtException {
    scratch = Files.createTempDirectory("modelreg-p9");
    registry = ModelRegistries.open(scratch.resolve("registry").toUri());
    options = PredictorOptions.defaults().cacheDirectory(scratch.resolve("cache"));
    List<String> names = new ArrayList<>();
    row = new HashMap<>();
    for (int i = 0; i < FEATURES; i++) {
      names.add(String.format(Locale.ROOT, "f%02d", i));
      row.put(names.get(i), 1.5 + i % 3);
    }
    Path first = scratch.resolve("big-1.onnx");
    for (int m = 1; m <= models; m++) {
      Path onnx = scratch.resolve("big-" + m + ".onnx");
      writeModel(onnx, sizeMb * MB / 4, m);
      ModelBundle.builder().onnx(onnx).preprocessor(Preprocessor.identity(names)).build()
          .register(registry, "big" + m, Registration.builder());
      if (m > 1) {
        Files.delete(onnx); // registered; only the first file is kept for the raw baseline
      }
    }
    // DJL's engine must start before raw ONNX Runtime code in one JVM; a predictor load starts it
    try (ModelPredictor p = ModelPredictor.load(registry, ModelUri.parse("models:/big1/1"), options)) {
      p.predict(row);
    }
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    long[] samples = new long[5];
    for (int i = 0; i < samples.length; i++) {
      try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
        long t0 = System.nanoTime();
        OrtSession s = env.createSession(first.toString(), so);
        samples[i] = System.nanoTime() - t0;
        s.close();
      }
    }
    Arrays.sort(samples);
    sessionCreateNanos = samples[samples.length / 2];
    System.gc();
  }

  /** A model whose output gathers 16 of {@code weights} floats at indices |x| mod 4 (cast to int64). */
  static void writeModel(Path file, long weights, int seed) throws IOException {
    ByteBuffer raw = ByteBuffer.allocate(Math.toIntExact(weights * 4)).order(ByteOrder.LITTLE_ENDIAN);
    Random r = new Random(seed);
    while (raw.hasRemaining()) {
      raw.putFloat(r.nextFloat());
    }
    raw.flip();
    OnnxMl.TensorProto w = OnnxMl.TensorProto.newBuilder().setName("W").addDims(weights)
        .setDataType(OnnxMl.TensorProto.DataType.FLOAT.getNumber()).setRawData(ByteString.copyFrom(raw)).build();
    OnnxMl.GraphProto graph = OnnxMl.GraphProto.newBuilder().setName("p9")
        .addInitializer(w)
        .addInput(valueInfo("X", OnnxMl.TensorProto.DataType.FLOAT, -1, FEATURES))
        .addOutput(valueInfo("Y", OnnxMl.TensorProto.DataType.FLOAT, -1, FEATURES))
        .addNode(OnnxMl.NodeProto.newBuilder().setOpType("Abs").addInput("X").addOutput("A"))
        .addNode(OnnxMl.NodeProto.newBuilder().setOpType("Cast").addInput("A").addOutput("I")
            .addAttribute(OnnxMl.AttributeProto.newBuilder().setName("to").setType(OnnxMl.AttributeProto.AttributeType.INT)
                .setI(OnnxMl.TensorProto.DataType.INT64.getNumber())))
        .addNode(OnnxMl.NodeProto.newBuilder().setOpType("Gather").addInput("W").addInput("I").addOutput("Y")
            .addAttribute(OnnxMl.AttributeProto.newBuilder().setName("axis").setType(OnnxMl.AttributeProto.AttributeType.INT)
                .setI(0)))
        .build();
    OnnxMl.ModelProto model = OnnxMl.ModelProto.newBuilder().setIrVersion(8).setProducerName("modelreg-p9")
        .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setVersion(13)).setGraph(graph).build();
    try (OutputStream out = Files.newOutputStream(file)) {
      model.writeTo(out);
    }
  }

  private static OnnxMl.ValueInfoProto valueInfo(String name, OnnxMl.TensorProto.DataType type, long... dims) {
    OnnxMl.TensorShapeProto.Builder shape = OnnxMl.TensorShapeProto.newBuilder();
    for (long d : dims) {
      shape.addDim(d < 0 ? OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimParam("N")
          : OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimValue(d));
    }
    return OnnxMl.ValueInfoProto.newBuilder().setName(name).setType(OnnxMl.TypeProto.newBuilder()
        .setTensorType(OnnxMl.TypeProto.Tensor.newBuilder().setElemType(type.getNumber()).setShape(shape))).build();
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    registry.close();
    try (var walk = Files.walk(scratch)) {
      walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  private static long status(String field) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"), StandardCharsets.US_ASCII)) {
        if (line.startsWith(field + ":")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }

  @Benchmark
  public long overload() throws Exception {
    long baseline = status("VmRSS");
    boolean peakReset;
    try {
      Files.writeString(Path.of("/proc/self/clear_refs"), "5");
      peakReset = true;
    } catch (IOException e) {
      peakReset = false;
    }
    AtomicLong sampledPeak = new AtomicLong(baseline);
    AtomicLong answered = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    List<long[]> latencies = new ArrayList<>();
    PoolSnapshot snapshot;
    long elapsed;
    try (ModelPool<ModelPredictor> pool = ModelPool.builder(registry).budget(MemoryBudget.bytes(budgetMb * MB))
        .predictorOptions(options).acquireTimeout(Duration.ofSeconds(60)).build()) {
      ExecutorService workers = Executors.newFixedThreadPool(threads + 1);
      CountDownLatch go = new CountDownLatch(1);
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
      List<Future<long[]>> results = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        long seed = 100 + t;
        results.add(workers.submit(() -> {
          Random random = new Random(seed);
          long[] times = new long[1024];
          int n = 0;
          go.await();
          while (System.nanoTime() < end) {
            String uri = "models:/big" + (1 + random.nextInt(models)) + "/1";
            long t0 = System.nanoTime();
            try {
              pool.predict(uri, row);
              answered.incrementAndGet();
            } catch (RuntimeException e) {
              failed.incrementAndGet();
              System.out.println("P9 failure: " + e);
            }
            if (n == times.length) {
              times = Arrays.copyOf(times, n * 2);
            }
            times[n++] = System.nanoTime() - t0;
          }
          return Arrays.copyOf(times, n);
        }));
      }
      Future<?> sampler = workers.submit(() -> {
        while (!Thread.currentThread().isInterrupted()) {
          sampledPeak.accumulateAndGet(status("VmRSS"), Math::max);
          try {
            Thread.sleep(5);
          } catch (InterruptedException e) {
            return;
          }
        }
      });
      long start = System.nanoTime();
      go.countDown();
      for (Future<long[]> f : results) {
        latencies.add(f.get());
      }
      elapsed = System.nanoTime() - start;
      sampler.cancel(true);
      workers.shutdownNow();
      snapshot = pool.snapshot();
    }
    long peak = peakReset ? status("VmHWM") : sampledPeak.get();
    long[] all = latencies.stream().flatMapToLong(Arrays::stream).sorted().toArray();
    double secondsRun = elapsed / 1e9;
    double loadSeconds = sessionCreateNanos / 1e9;
    double missesPerRequest = (double) snapshot.loads() / Math.max(1, answered.get());
    System.out.printf(Locale.ROOT, "%nP9 case: %d models x %d MB weights, budget %d MB, %d threads, %.1f s%n",
        models, sizeMb, budgetMb, threads, secondsRun);
    System.out.printf(Locale.ROOT, "P9 answered %d, failed %d; waited %d, refused %d%n", answered.get(), failed.get(),
        snapshot.waited(), snapshot.refused());
    System.out.printf(Locale.ROOT, "P9 request time p50 %.1f ms, p99 %.1f ms, max %.1f ms%n", pct(all, 0.50) / 1e6,
        pct(all, 0.99) / 1e6, all.length == 0 ? 0 : all[all.length - 1] / 1e6);
    System.out.printf(Locale.ROOT, "P9 throughput %.2f requests/s; loads %d (%.2f per request), %.2f loads/s%n",
        answered.get() / secondsRun, snapshot.loads(), missesPerRequest, snapshot.loads() / secondsRun);
    System.out.printf(Locale.ROOT, "P9 raw ORT session create for one model file: %.0f ms (median of 5) -> at most"
        + " %.2f loads/s; with this run's loads per request the limit is %.2f requests/s; throughput / limit = %.2f%n",
        loadSeconds * 1000, 1 / loadSeconds, 1 / loadSeconds / missesPerRequest,
        answered.get() / secondsRun / (1 / loadSeconds / missesPerRequest));
    System.out.printf(Locale.ROOT, "P9 peak resident growth %.0f MB (%s) against a budget of %d MB = %.2fx;"
        + " bytes accounted at the end %.0f MB for %d loaded models%n", (peak - baseline) / (double) MB,
        peakReset ? "VmHWM" : "sampled VmRSS", budgetMb, (double) (peak - baseline) / (budgetMb * MB),
        snapshot.bytesInUse() / (double) MB, snapshot.loadedModels());
    return answered.get();
  }

  private static double pct(long[] sorted, double q) {
    if (sorted.length == 0) {
      return 0;
    }
    return sorted[Math.min(sorted.length - 1, (int) Math.floor(q * sorted.length))];
  }
}
