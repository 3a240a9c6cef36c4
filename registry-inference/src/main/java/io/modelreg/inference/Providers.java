package io.modelreg.inference;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses the execution provider of each session and says once per JVM, at INFO, which one models run on.
 * Nothing here logs above DEBUG on a CPU-only machine except that one line.
 */
final class Providers {
  private static final Logger LOG = LoggerFactory.getLogger(ModelPredictor.class);
  private static final Set<String> ANNOUNCED = ConcurrentHashMap.newKeySet();

  private Providers() {}

  /** Adds the provider {@code wanted} resolves to; the CPU provider needs nothing added. */
  static void apply(ExecutionProvider wanted, OrtSession.SessionOptions options, String subject) throws OrtException {
    EnumSet<OrtProvider> available = OrtEnvironment.getAvailableProviders();
    String chosen;
    String why;
    switch (wanted) {
      case CPU:
        chosen = "CPU";
        why = "as configured";
        break;
      case CUDA:
        require(available, OrtProvider.CUDA, subject);
        options.addCUDA(0);
        chosen = "CUDA";
        why = "as configured";
        break;
      case COREML:
        require(available, OrtProvider.CORE_ML, subject);
        options.addCoreML();
        chosen = "CoreML";
        why = "as configured";
        break;
      case AUTO:
      default:
        if (available.contains(OrtProvider.CUDA)) {
          try {
            options.addCUDA(0);
            chosen = "CUDA";
            why = "chosen automatically";
          } catch (OrtException e) {
            chosen = "CPU";
            why = "CUDA is in this ONNX Runtime build but cannot start here: " + e.getMessage();
          }
        } else {
          chosen = "CPU";
          why = others(available);
        }
        break;
    }
    if (ANNOUNCED.add(chosen)) {
      LOG.info("modelreg runs ONNX models on {} ({}; ONNX Runtime {}, providers in this build: {})", chosen, why,
          OrtEnvironment.getEnvironment().getVersion(), available);
    } else {
      LOG.debug("{} runs on {}", subject, chosen);
    }
  }

  private static String others(EnumSet<OrtProvider> available) {
    EnumSet<OrtProvider> rest = EnumSet.copyOf(available);
    rest.remove(OrtProvider.CPU);
    return rest.isEmpty() ? "this ONNX Runtime build has no accelerator"
        : "chosen automatically; " + rest + " only when asked for";
  }

  private static void require(EnumSet<OrtProvider> available, OrtProvider p, String subject) {
    if (!available.contains(p)) {
      throw new IllegalStateException(subject + ": the execution provider " + p + " was asked for, but this ONNX"
          + " Runtime build offers only " + available + "; use ExecutionProvider.AUTO or CPU, or put the ONNX"
          + " Runtime build with " + p + " on the class path");
    }
  }
}
