package io.modelreg.prompts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelreg.Lineage;
import io.modelreg.ModelNotFoundException;
import io.modelreg.ModelRegistry;
import io.modelreg.ModelUri;
import io.modelreg.ModelVersion;
import io.modelreg.Names;
import io.modelreg.NotFoundException;
import io.modelreg.RegisteredModel;
import io.modelreg.Registration;
import io.modelreg.RegistryException;
import io.modelreg.SemanticVersion;
import io.modelreg.Stage;
import io.modelreg.spi.StoreCapability;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Versioned prompts on any {@link ModelRegistry}. A prompt is a registered model tagged {@code
 * mlflow.prompt.is_prompt=true}; each prompt version is a model version holding {@code prompt.json} and
 * MLflow's prompt tags ({@code mlflow.prompt.text}, with the template in {@code {{ }}} syntax where that
 * is exact), so MLflow's prompt registry and Python's {@code mlflow.genai.load_prompt} see the same
 * prompts. Stages, aliases, history and lineage are the registry's. On a registry whose prompts MLflow's
 * Python client reads ({@link StoreCapability#MLFLOW_PROMPTS}), a template MLflow would leave unrendered is
 * refused unless registered as Java-only ({@link #registerJavaOnly}), which marks it for Python users.
 *
 * <p>Semantic versions are checked against the change: removing or renaming a variable needs a MAJOR
 * bump, adding one a MINOR bump, a text-only change a PATCH bump; an explicit override is allowed and
 * recorded on the version.
 *
 * <p>{@link #load} caches: a version by number or exact semver forever (it never changes); an alias,
 * stage, {@code latest} or range for {@code aliasTtl}; and when the backend is down it serves the last
 * good copy with a warning. Thread-safe.
 */
public final class PromptRegistry {
  /** MLflow's tag marking prompts and prompt versions. */
  public static final String IS_PROMPT = "mlflow.prompt.is_prompt";
  /** MLflow's tag holding a prompt version's template. */
  public static final String TEXT = "mlflow.prompt.text";
  /** The syntax of the template in {@link #TEXT}: {@code mlflow} or {@code python_format}. */
  public static final String SYNTAX = "prompt.syntax";
  /** Why the semver bump rule was overridden. */
  public static final String BUMP_OVERRIDE = "prompt.bump_override";
  /**
   * On a version MLflow's Python client cannot render: why it was registered anyway and what Python cannot
   * render ({@code format spec ':d' in {n:d} at line 1, column 24}).
   */
  public static final String JAVA_ONLY = "prompt.java_only";
  /**
   * The first line of {@link #TEXT} on a Java-only version. It is an MLflow variable no caller passes, so
   * Python's {@code format(...)} fails, naming it and so the tag to read, instead of returning the template
   * unrendered.
   */
  public static final String JAVA_ONLY_MARKER = "{{ java_only_prompt.see_tag.prompt.java_only }}";
  static final String FILE = "prompt.json";

  private static final ObjectMapper JSON = new ObjectMapper();

  private static final class Log {
    static final Logger LOG = LoggerFactory.getLogger(PromptRegistry.class);
  }

  private final ModelRegistry registry;
  private final Duration aliasTtl;
  private final Clock clock;
  private final ConcurrentHashMap<String, PromptVersion> immutable = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Cached> mutable = new ConcurrentHashMap<>();

  private record Cached(PromptVersion version, Instant loadedAt) {}

  private PromptRegistry(ModelRegistry registry, Duration aliasTtl, Clock clock) {
    this.registry = registry;
    this.aliasTtl = aliasTtl;
    this.clock = clock;
  }

  /** Prompts on {@code registry}, aliases cached for 30 seconds. */
  public static PromptRegistry on(ModelRegistry registry) {
    return on(registry, Duration.ofSeconds(30), Clock.systemUTC());
  }

  /** Prompts on {@code registry} with the given alias TTL and clock. */
  public static PromptRegistry on(ModelRegistry registry, Duration aliasTtl, Clock clock) {
    if (aliasTtl.isNegative()) {
      throw new IllegalArgumentException("aliasTtl must not be negative");
    }
    return new PromptRegistry(registry, aliasTtl, clock);
  }

  // ------------------------------------------------------------------ registering

  /** Registers a Python-format template; see {@link #register(String, PromptTemplate, String, String, String)}. */
  public PromptVersion register(String name, String template, String semver, String message) {
    return register(name, PromptTemplate.parse(template), semver, message, null);
  }

  /**
   * Registers a new version of prompt {@code name} (creating the prompt if needed).
   *
   * <p>Where MLflow's Python client reads the registry's prompts (the registry declares {@link
   * StoreCapability#MLFLOW_PROMPTS}, as the MLflow store does), a template it would leave unrendered is
   * refused; {@link #registerJavaOnly} keeps it, marked. Elsewhere such a template is registered and marked
   * the same way ({@link #JAVA_ONLY}), so a copy to an MLflow server stays marked.
   *
   * @param bumpOverride null to enforce the bump rule; otherwise why this version may break it (recorded)
   * @throws MlflowIncompatibleTemplateException on a registry MLflow's Python reads, when the template has a
   *     format spec, conversion, index, positional field, non-identifier name or brace clash (each named with
   *     its line and column)
   * @throws IllegalArgumentException when the semantic version is too small a bump for the change, does not
   *     increase, or the template did not change; or {@code name} is a model, not a prompt
   */
  public PromptVersion register(String name, PromptTemplate template, String semver, String message,
      @Nullable String bumpOverride) {
    return register(name, template, semver, message, bumpOverride, Lineage.empty());
  }

  /**
   * Registers a new version with lineage (the run, source or parent prompt version it came from).
   *
   * @see #register(String, PromptTemplate, String, String, String)
   */
  public PromptVersion register(String name, PromptTemplate template, String semver, String message,
      @Nullable String bumpOverride, Lineage lineage) {
    return register(name, template, semver, message, bumpOverride, lineage, null);
  }

  /**
   * Registers a version that MLflow's Python client may be unable to render (a format spec, conversion,
   * index, positional field…), which a registry declaring {@link StoreCapability#MLFLOW_PROMPTS} otherwise
   * refuses. If the template has such constructs the version is marked for Python users: {@link #JAVA_ONLY}
   * holds {@code reason} and what Python cannot render, and {@link #TEXT} starts with {@link
   * #JAVA_ONLY_MARKER}, so Python's {@code format} fails naming the tag rather than returning the template
   * unrendered. A template MLflow can render is registered normally, the reason unused.
   *
   * @param reason why this prompt is for Java only (recorded; not blank)
   * @see #register(String, PromptTemplate, String, String, String, Lineage)
   */
  public PromptVersion registerJavaOnly(String name, PromptTemplate template, String semver, String message,
      @Nullable String bumpOverride, Lineage lineage, String reason) {
    if (reason.isBlank()) {
      throw new IllegalArgumentException("Say why the prompt is for Java only; Python users read the reason");
    }
    return register(name, template, semver, message, bumpOverride, lineage, reason);
  }

  /** Registers a Java-only version; see {@link #registerJavaOnly(String, PromptTemplate, String, String, String, Lineage, String)}. */
  public PromptVersion registerJavaOnly(String name, PromptTemplate template, String semver, String message, String reason) {
    return registerJavaOnly(name, template, semver, message, null, Lineage.empty(), reason);
  }

  private PromptVersion register(String name, PromptTemplate template, String semver, String message,
      @Nullable String bumpOverride, Lineage lineage, @Nullable String javaOnlyReason) {
    Names.checkModelName(name);
    SemanticVersion sv = SemanticVersion.parse(semver);
    List<PromptTemplate.MlflowIncompatibility> incompatible = template.mlflowIncompatibilities();
    boolean pythonReads = registry.capabilities().contains(StoreCapability.MLFLOW_PROMPTS);
    if (!incompatible.isEmpty() && javaOnlyReason == null && pythonReads) {
      throw refusal(name, sv, incompatible);
    }
    @Nullable String mlflowText = template.toMlflow().orElse(JAVA_ONLY_MARKER + "\n" + template.text());
    try {
      Names.checkValue("tag", TEXT, mlflowText);
    } catch (IllegalArgumentException e) {
      if (pythonReads) {
        throw new IllegalArgumentException("Prompt '" + name + "' " + sv + " cannot be stored where MLflow's Python"
            + " client reads it (" + registry.describe() + "): " + e.getMessage(), e);
      }
      Log.LOG.info("Prompt {} {} is too long or unusual for the {} tag; it is stored in {} only", name, sv, TEXT, FILE);
      mlflowText = null;
    }
    Optional<RegisteredModel> model = registry.findModel(name);
    if (model.isPresent() && !"true".equals(model.get().tags().get(IS_PROMPT))) {
      throw new IllegalArgumentException("'" + name + "' is a registered model, not a prompt; choose another name");
    }
    PromptVersion previous = model.isPresent() ? highest(name) : null;
    if (previous != null) {
      PromptComparison change = compare(previous, template);
      if (change.requiredBump() == PromptComparison.Bump.NONE) {
        throw new IllegalArgumentException("The template of '" + name + "' is unchanged from " + previous.semver()
            + " (version " + previous.number() + "); nothing to register");
      }
      if (bumpOverride == null) {
        checkBump(name, previous, sv, change);
      }
    }
    if (model.isEmpty()) {
      registry.createModel(name, null, Map.of(IS_PROMPT, "true"));
    }
    Registration.Builder r = Registration.builder()
        .bytes(FILE, promptJson(template))
        .semver(sv)
        .description(message)
        .lineage(lineage)
        .tag(IS_PROMPT, "true");
    if (mlflowText != null) {
      r.tag(TEXT, mlflowText);
    }
    r.tag(SYNTAX, incompatible.isEmpty() ? "mlflow" : "python_format");
    if (!incompatible.isEmpty()) {
      r.tag(JAVA_ONLY, javaOnlyNote(javaOnlyReason, incompatible));
    }
    if (bumpOverride != null) {
      r.tag(BUMP_OVERRIDE, bumpOverride.isBlank() ? "unspecified" : bumpOverride);
    }
    ModelVersion v = registry.register(name, r.build());
    return toPrompt(v);
  }

  private MlflowIncompatibleTemplateException refusal(String name, SemanticVersion sv,
      List<PromptTemplate.MlflowIncompatibility> incompatible) {
    StringBuilder m = new StringBuilder("Prompt '").append(name).append("' ").append(sv)
        .append(" is not registered: MLflow's Python client reads the prompts of ").append(registry.describe())
        .append(" and renders only {{ name }} variables, so load_prompt(...).format(...) would return this template"
            + " unrendered. MLflow cannot render:");
    incompatible.forEach(i -> m.append("\n  - ").append(i));
    m.append("\nUse plain {name} fields (format the values before rendering), or register it as Java-only"
        + " (PromptRegistry.registerJavaOnly with a reason, which Python users see in the tag " + JAVA_ONLY + ")");
    return new MlflowIncompatibleTemplateException(m.toString(), incompatible);
  }

  private static String javaOnlyNote(@Nullable String reason, List<PromptTemplate.MlflowIncompatibility> incompatible) {
    StringBuilder note = new StringBuilder(reason == null || reason.isBlank()
        ? "registered where MLflow's Python client does not read prompts" : reason.strip());
    note.append(". MLflow's Python client cannot render: ");
    for (int i = 0; i < incompatible.size(); i++) {
      note.append(i == 0 ? "" : "; ").append(incompatible.get(i));
    }
    note.append(". Render it with modelreg (Java)");
    String out = note.toString();
    return out.length() <= Names.MAX_VALUE_LENGTH ? out : out.substring(0, Names.MAX_VALUE_LENGTH - 1) + "…";
  }

  private static void checkBump(String name, PromptVersion previous, SemanticVersion sv, PromptComparison change) {
    SemanticVersion p = previous.semver();
    boolean ok;
    SemanticVersion least;
    switch (change.requiredBump()) {
      case MAJOR:
        ok = sv.major() > p.major();
        least = p.nextMajor();
        break;
      case MINOR:
        ok = sv.compareTo(p) > 0 && (sv.major() > p.major() || sv.minor() > p.minor());
        least = p.nextMinor();
        break;
      default:
        ok = sv.compareTo(p) > 0;
        least = p.nextPatch();
    }
    if (!ok) {
      String why = change.requiredBump() == PromptComparison.Bump.MAJOR
          ? "variables " + change.variablesRemoved() + " were removed or renamed"
          : change.requiredBump() == PromptComparison.Bump.MINOR ? "variables " + change.variablesAdded() + " were added"
          : "the text changed";
      throw new IllegalArgumentException("Prompt '" + name + "' " + sv + " is not a valid bump from " + p + ": " + why
          + ", which needs a " + change.requiredBump() + " bump (" + least + " or later). Pass a bump override with a"
          + " reason to register it anyway");
    }
  }

  private static byte[] promptJson(PromptTemplate template) {
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("format", 1);
    o.put("syntax", template.syntax() == PromptTemplate.Syntax.MLFLOW ? "mlflow" : "python_format");
    o.put("template", template.text());
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(o);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private @Nullable PromptVersion highest(String name) {
    PromptVersion best = null;
    for (ModelVersion v : registry.listVersions(name)) {
      if (v.semver().isPresent() && (best == null || v.semver().get().compareTo(best.semver()) > 0)) {
        best = toPrompt(v);
      }
    }
    return best;
  }

  // ------------------------------------------------------------------ reading

  /**
   * Loads {@code prompts:/name/3}, {@code prompts:/name/1.2.0}, {@code prompts:/name/^1},
   * {@code prompts:/name@production} or {@code prompts:/name/latest}.
   *
   * @throws NotFoundException when no version matches
   * @throws IllegalArgumentException when the URI is not a {@code prompts:/} URI, or names a model
   */
  public PromptVersion load(String uri) {
    ModelUri parsed = ModelUri.parse(uri);
    if (!parsed.scheme().equals("prompts")) {
      throw new IllegalArgumentException("'" + uri + "' is not a prompt URI; write prompts:/NAME/...");
    }
    String key = parsed.toString();
    PromptVersion fixed = immutable.get(key);
    if (fixed != null) {
      return fixed;
    }
    if (parsed.isImmutable()) {
      PromptVersion v = toPrompt(registry.resolve(parsed));
      immutable.put(key, v);
      immutable.put(v.uri(), v);
      return v;
    }
    Cached cached = mutable.get(key);
    Instant now = clock.instant();
    if (cached != null && Duration.between(cached.loadedAt(), now).compareTo(aliasTtl) < 0) {
      return cached.version();
    }
    try {
      PromptVersion v = toPrompt(registry.resolve(parsed));
      mutable.put(key, new Cached(v, now));
      immutable.putIfAbsent(v.uri(), v);
      return v;
    } catch (NotFoundException e) {
      mutable.remove(key);
      throw e;
    } catch (RegistryException e) {
      if (cached != null) {
        Log.LOG.warn("Serving the last good copy of {} ({}, loaded {}) because the registry failed: {}", key,
            cached.version().uri(), cached.loadedAt(), e.toString());
        return cached.version();
      }
      throw e;
    }
  }

  /** Every version of a prompt, by number. */
  public List<PromptVersion> list(String name) {
    requirePrompt(name);
    List<PromptVersion> out = new ArrayList<>();
    for (ModelVersion v : registry.listVersions(name)) {
      out.add(toPrompt(v));
    }
    return out;
  }

  private void requirePrompt(String name) {
    RegisteredModel m = registry.getModel(name);
    if (!"true".equals(m.tags().get(IS_PROMPT))) {
      throw new IllegalArgumentException("'" + name + "' is a registered model, not a prompt");
    }
  }

  private PromptVersion toPrompt(ModelVersion v) {
    if (!"true".equals(v.tags().get(IS_PROMPT))) {
      throw new IllegalArgumentException(v.uri() + " is a model version, not a prompt (no " + IS_PROMPT + " tag)");
    }
    PromptTemplate template;
    if (v.manifest().find(FILE).isPresent()) {
      try (InputStream in = registry.openArtifact(v, FILE)) {
        JsonNode node = JSON.readTree(in.readAllBytes());
        String syntax = node.path("syntax").asText("python_format");
        template = PromptTemplate.parse(node.path("template").asText(),
            syntax.equals("mlflow") ? PromptTemplate.Syntax.MLFLOW : PromptTemplate.Syntax.PYTHON_FORMAT);
      } catch (IOException e) {
        throw new RegistryException("Cannot read " + FILE + " of " + v.uri() + ": " + e, e);
      }
    } else {
      String text = v.tags().get(TEXT);
      if (text == null) {
        throw new IllegalArgumentException(v.uri() + " has neither " + FILE + " nor a " + TEXT + " tag");
      }
      boolean pythonFormat = "python_format".equals(v.tags().get(SYNTAX));
      if (pythonFormat && text.startsWith(JAVA_ONLY_MARKER + "\n")) {
        text = text.substring(JAVA_ONLY_MARKER.length() + 1);
      }
      template = PromptTemplate.parse(text, pythonFormat ? PromptTemplate.Syntax.PYTHON_FORMAT : PromptTemplate.Syntax.MLFLOW);
    }
    SemanticVersion semver = v.semver().orElse(SemanticVersion.of(v.number(), 0, 0));
    return new PromptVersion(v.name(), v.number(), semver, template, v.description().orElse(""),
        Optional.ofNullable(v.tags().get(BUMP_OVERRIDE)), v);
  }

  // ------------------------------------------------------------------ comparing, stages, variants

  /** Compares two prompt versions by URI, {@code a} as the older one. */
  public PromptComparison compare(String a, String b) {
    PromptVersion from = load(a);
    PromptVersion to = load(b);
    return compare(from, to.template(), to);
  }

  private static PromptComparison compare(PromptVersion from, PromptTemplate to) {
    return compare(from, to, null);
  }

  private static PromptComparison compare(PromptVersion from, PromptTemplate to, @Nullable PromptVersion toVersion) {
    Set<String> before = expressions(from.template());
    Set<String> after = expressions(to);
    List<String> added = new ArrayList<>(after);
    added.removeAll(before);
    List<String> removed = new ArrayList<>(before);
    removed.removeAll(after);
    String diff = from.template().text().equals(to.text()) ? ""
        : TextDiff.unified(from.template().text(), to.text(), from.uri(), toVersion == null ? "new" : toVersion.uri());
    PromptComparison.Bump bump = !removed.isEmpty() ? PromptComparison.Bump.MAJOR
        : !added.isEmpty() ? PromptComparison.Bump.MINOR
        : !from.template().text().equals(to.text()) || from.template().syntax() != to.syntax() ? PromptComparison.Bump.PATCH
        : PromptComparison.Bump.NONE;
    return new PromptComparison(from, toVersion == null ? from : toVersion, added, removed, diff, bump);
  }

  private static Set<String> expressions(PromptTemplate t) {
    Set<String> out = new LinkedHashSet<>();
    t.variables().forEach(v -> out.add(v.expression()));
    return out;
  }

  /** Moves a prompt version to a stage, with the registry's rules (no skipping, gates). */
  public PromptVersion promote(String name, int number, Stage stage) {
    requirePrompt(name);
    return toPrompt(registry.transition(name, number, stage));
  }

  /** Points an alias at a prompt version. */
  public PromptVersion setAlias(String name, String alias, int number) {
    requirePrompt(name);
    return toPrompt(registry.setAlias(name, alias, number));
  }

  /**
   * Weighted variants for an A/B test: {@code choose(key)} sends a stable share of keys to each URI.
   *
   * @param weights prompt URI to weight (positive; they need not sum to 1)
   */
  public Variants variants(Map<String, Double> weights) {
    return new Variants(this, weights);
  }

  /** A weighted, sticky choice between prompt variants. */
  public static final class Variants {
    private final PromptRegistry prompts;
    private final List<String> uris = new ArrayList<>();
    private final double[] cumulative;

    private Variants(PromptRegistry prompts, Map<String, Double> weights) {
      if (weights.isEmpty()) {
        throw new IllegalArgumentException("Variants need at least one prompt URI");
      }
      this.prompts = prompts;
      cumulative = new double[weights.size()];
      double total = 0;
      int i = 0;
      for (Map.Entry<String, Double> e : weights.entrySet()) {
        if (!(e.getValue() > 0) || Double.isInfinite(e.getValue())) {
          throw new IllegalArgumentException("Weight of " + e.getKey() + " must be positive, got " + e.getValue());
        }
        ModelUri.parse(e.getKey());
        uris.add(e.getKey());
        total += e.getValue();
        cumulative[i++] = total;
      }
      for (int j = 0; j < cumulative.length; j++) {
        cumulative[j] /= total;
      }
    }

    /** The variant for {@code key}: the same key always gets the same URI while the weights stay. */
    public PromptVersion choose(String key) {
      return prompts.load(uriFor(key));
    }

    /** The URI {@code key} is assigned to. */
    public String uriFor(String key) {
      double u = io.modelreg.StickyHash.unit(key);
      for (int i = 0; i < cumulative.length; i++) {
        if (u < cumulative[i]) {
          return uris.get(i);
        }
      }
      return uris.get(uris.size() - 1);
    }

  }

  /** Whether a registered model is a prompt. */
  public boolean isPrompt(String name) {
    try {
      return "true".equals(registry.getModel(name).tags().get(IS_PROMPT));
    } catch (ModelNotFoundException e) {
      return false;
    }
  }
}
