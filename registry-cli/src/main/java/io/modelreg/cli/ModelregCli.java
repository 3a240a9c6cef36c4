package io.modelreg.cli;

import io.modelreg.AlreadyExistsException;
import io.modelreg.ConflictException;
import io.modelreg.IntegrityException;
import io.modelreg.ModelRegistries;
import io.modelreg.ModelRegistry;
import io.modelreg.NotFoundException;
import io.modelreg.PromotionRejectedException;
import io.modelreg.RegistryOptions;
import io.modelreg.Ticker;
import io.modelreg.TransientRegistryException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Properties;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The {@code modelreg} command. Global options: {@code --registry URI} (else {@code MODELREG_URI}, else
 * the config file's {@code registry}, else {@code ~/.modelreg/registry}), {@code --config FILE} (default
 * {@code ~/.modelreg/config}, a properties file with {@code registry} and {@code actor}), {@code --json},
 * {@code --verbose}. Exit codes are listed in {@link ExitCodes}.
 */
@Command(
    name = "modelreg",
    mixinStandardHelpOptions = true,
    version = "modelreg 0.1.0-SNAPSHOT",
    description = "A model registry with versioning: register, promote, serve and audit models and prompts.",
    subcommands = {
      RegistryCommands.Init.class,
      RegistryCommands.Models.class,
      RegistryCommands.Register.class,
      RegistryCommands.Versions.class,
      RegistryCommands.Promote.class,
      RegistryCommands.Archive.class,
      RegistryCommands.Rollback.class,
      RegistryCommands.Alias.class,
      RegistryCommands.Tag.class,
      RegistryCommands.Metrics.class,
      RegistryCommands.Compare.class,
      RegistryCommands.History.class,
      RegistryCommands.Verify.class,
      RegistryCommands.Gc.class,
      RegistryCommands.Adopt.class,
      TransferCommands.Export.class,
      TransferCommands.Import.class,
      TransferCommands.Copy.class,
      ServingCommands.Predict.class,
      BenchCommand.class,
      ServingCommands.Prompt.class,
      ServingCommands.Quickstart.class,
      ServingCommands.Report.class,
      ServeCommand.class
    })
public final class ModelregCli {
  @Option(names = "--registry", scope = ScopeType.INHERIT, paramLabel = "URI",
      description = "Registry URI (file:/path, mlflow://host:port, http(s)://…, mem:); default: MODELREG_URI, the config file, ~/.modelreg/registry")
  @Nullable String registryUri;

  @Option(names = "--config", scope = ScopeType.INHERIT, paramLabel = "FILE",
      description = "Properties file with defaults (registry, actor); default ~/.modelreg/config")
  @Nullable Path config;

  @Option(names = "--json", scope = ScopeType.INHERIT, description = "Print JSON instead of text")
  boolean json;

  @Option(names = "--verbose", scope = ScopeType.INHERIT, description = "Print stack traces of errors")
  boolean verbose;

  @Option(names = "--actor", scope = ScopeType.INHERIT, description = "Who is recorded in history; default: the config file, user.name")
  @Nullable String actor;

  private final java.util.Map<String, String> env;
  /** Wall-clock time: metric-run times, the registry's timestamps, default directory names. */
  final Clock clock;
  /** Elapsed time and waiting: progress redraws, the registry's back-off and timeouts. */
  final Ticker ticker;

  ModelregCli(java.util.Map<String, String> env, Clock clock, Ticker ticker) {
    this.env = env;
    this.clock = clock;
    this.ticker = ticker;
  }

  /** A variable of the environment this command runs in. */
  @Nullable String env(String name) {
    return env.get(name);
  }

  /** The one place the command takes the system's clock and ticker; everything below is given them. */
  public static void main(String[] args) {
    System.exit(run(System.getenv(), Clock.systemUTC(), Ticker.system(), new PrintWriter(System.out, true),
        new PrintWriter(System.err, true), args));
  }

  /** Runs the command with explicit environment and streams on the system clock; returns the exit code. */
  static int run(java.util.Map<String, String> env, PrintWriter out, PrintWriter err, String... args) {
    return run(env, Clock.systemUTC(), Ticker.system(), out, err, args);
  }

  /** Runs the command with explicit environment, time sources and streams; returns the exit code. */
  static int run(java.util.Map<String, String> env, Clock clock, Ticker ticker, PrintWriter out, PrintWriter err,
      String... args) {
    ModelregCli root = new ModelregCli(env, clock, ticker);
    CommandLine cli = new CommandLine(root);
    cli.setOut(out);
    cli.setErr(err);
    cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
      err.println("modelreg: " + e.getMessage());
      if (root.verbose) {
        e.printStackTrace(err);
      }
      err.flush();
      return ExitCodes.of(e);
    });
    return cli.execute(args);
  }

  Properties configProperties() {
    Path file = config != null ? config : Path.of(System.getProperty("user.home", "."), ".modelreg", "config");
    Properties p = new Properties();
    if (Files.isRegularFile(file)) {
      try (InputStream in = Files.newInputStream(file)) {
        p.load(in);
      } catch (IOException e) {
        throw new IllegalArgumentException("Cannot read the config file " + file + ": " + e.getMessage(), e);
      }
    } else if (config != null) {
      throw new IllegalArgumentException("The config file " + file + " does not exist");
    }
    return p;
  }

  /** The registry URI these options name. */
  String registryUri() {
    if (registryUri != null) {
      return registryUri;
    }
    String fromEnv = env.get(ModelRegistries.ENV_URI);
    if (fromEnv != null && !fromEnv.isBlank()) {
      return fromEnv;
    }
    String fromConfig = configProperties().getProperty("registry");
    if (fromConfig != null && !fromConfig.isBlank()) {
      return fromConfig.trim();
    }
    return Path.of(System.getProperty("user.home", "."), ".modelreg", "registry").toUri().toString();
  }

  ModelRegistry open() {
    return ModelRegistries.open(registryUri(), options());
  }

  /** Registry options from these options: the actor, and the command's clock and ticker. */
  RegistryOptions options() {
    RegistryOptions.Builder options = RegistryOptions.builder().clock(clock).ticker(ticker);
    String who = actor != null ? actor : configProperties().getProperty("actor");
    if (who != null && !who.isBlank()) {
      options.actor(who.trim());
    }
    return options.build();
  }

  /** Process exit codes. */
  static final class ExitCodes {
    static final int OK = 0;
    static final int FAILURE = 1;
    static final int USAGE = 2;
    static final int NOT_FOUND = 3;
    static final int CONFLICT = 4;
    static final int REFUSED = 5;
    static final int INTEGRITY = 6;
    static final int RETRY = 7;
    static final int INVALID = 8;

    private ExitCodes() {}

    static int of(Throwable e) {
      if (e instanceof NotFoundException) {
        return NOT_FOUND;
      }
      if (e instanceof AlreadyExistsException || e instanceof ConflictException) {
        return CONFLICT;
      }
      if (e instanceof PromotionRejectedException || e instanceof IllegalStateException) {
        return REFUSED;
      }
      if (e instanceof IntegrityException) {
        return INTEGRITY;
      }
      if (e instanceof TransientRegistryException) {
        return RETRY;
      }
      if (e instanceof IllegalArgumentException) {
        return INVALID;
      }
      return FAILURE;
    }
  }
}
