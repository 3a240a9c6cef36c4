package io.modelreg.prompts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.modelreg.ModelRegistries;
import io.modelreg.ModelRegistry;
import io.modelreg.NotFoundException;
import io.modelreg.PromotionRejectedException;
import io.modelreg.Registration;
import io.modelreg.RegistryOptions;
import io.modelreg.Stage;
import io.modelreg.TransientRegistryException;
import io.modelreg.mem.MemoryRegistryStore;
import io.modelreg.spi.RegistryStore;
import io.modelreg.spi.StoreCapability;
import io.modelreg.testkit.MutableClock;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class PromptRegistryTest {

  private final ModelRegistry registry = ModelRegistries.open("mem:");
  private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final PromptRegistry prompts = PromptRegistry.on(registry, Duration.ofSeconds(30), clock);

  @Test
  void semverBumpsAreCheckedAgainstTheChange() {
    PromptVersion v1 = prompts.register("greet", "Hello {name}!", "1.0.0", "first");
    assertThat(v1.render(Map.of("name", "Ada"))).isEqualTo("Hello Ada!");
    // text only: PATCH is enough
    assertThat(prompts.register("greet", "Hello, {name}!", "1.0.1", "comma").semver()).hasToString("1.0.1");
    // a variable added needs MINOR
    assertThatThrownBy(() -> prompts.register("greet", "Hello, {name} from {city}!", "1.0.2", "city"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[city] were added")
        .hasMessageContaining("MINOR").hasMessageContaining("1.1.0 or later");
    prompts.register("greet", "Hello, {name} from {city}!", "1.1.0", "city");
    // a variable renamed needs MAJOR
    assertThatThrownBy(() -> prompts.register("greet", "Hello, {user} from {city}!", "1.2.0", "rename"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[name] were removed or renamed")
        .hasMessageContaining("2.0.0 or later");
    PromptVersion v4 = prompts.register("greet", PromptTemplate.parse("Hello, {user} from {city}!"), "1.2.0", "rename",
        "callers were migrated in the same release");
    assertThat(v4.bumpOverride()).contains("callers were migrated in the same release");
    assertThatThrownBy(() -> prompts.register("greet", "Hello, {user} from {city}!", "3.0.0", "same"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unchanged");
    PromptVersion v5 = prompts.register("greet", PromptTemplate.parse("Hi, {user} from {city}!"), "1.2.1", "tone", null,
        io.modelreg.Lineage.builder().parentVersion(v4.number()).runId("prompt-eval-7").build());
    assertThat(v5.version().lineage().parentVersion()).isEqualTo(v4.number());
    assertThat(v5.version().lineage().runId()).isEqualTo("prompt-eval-7");
    assertThat(prompts.list("greet")).extracting(p -> p.semver().toString())
        .containsExactly("1.0.0", "1.0.1", "1.1.0", "1.2.0", "1.2.1");
  }

  @Test
  void versionsCarryMlflowsPromptTags() {
    PromptVersion simple = prompts.register("qa", "Answer {question} for {user.name}", "1.0.0", "msg");
    assertThat(simple.version().tags()).containsEntry(PromptRegistry.IS_PROMPT, "true")
        .containsEntry(PromptRegistry.TEXT, "Answer {{ question }} for {{ user.name }}")
        .containsEntry(PromptRegistry.SYNTAX, "mlflow");
    assertThat(registry.getModel("qa").tags()).containsEntry(PromptRegistry.IS_PROMPT, "true");
    assertThat(simple.message()).isEqualTo("msg");
    PromptVersion formatted = prompts.register("price", "Total {amount:.2f}", "1.0.0", "msg");
    assertThat(formatted.version().tags())
        .containsEntry(PromptRegistry.TEXT, PromptRegistry.JAVA_ONLY_MARKER + "\nTotal {amount:.2f}")
        .containsEntry(PromptRegistry.SYNTAX, "python_format");
    assertThat(formatted.javaOnly()).hasValueSatisfying(why -> assertThat(why)
        .contains("registered where MLflow's Python client does not read prompts")
        .contains("format spec ':.2f' in {amount:.2f} at line 1, column 7"));
    assertThat(simple.javaOnly()).isEmpty();
  }

  /** {@code registry} as a registry whose store declares that MLflow's Python client reads its prompts. */
  private ModelRegistry readByPython() {
    return (ModelRegistry) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {ModelRegistry.class},
        (proxy, method, args) -> {
          if (method.getName().equals("capabilities")) {
            return EnumSet.of(StoreCapability.DURABLE, StoreCapability.MLFLOW_PROMPTS);
          }
          try {
            return method.invoke(registry, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }

  @Test
  void whereMlflowsPythonReadsPromptsATemplateItCannotRenderIsRefusedNamingEachConstruct() {
    PromptRegistry onMlflow = PromptRegistry.on(readByPython());
    assertThatThrownBy(() -> onMlflow.register("mail", "Hello {name}, you have {n:d} new {kind}!\nFirst: {items[0]!r}",
        "1.0.0", "first"))
        .isInstanceOf(MlflowIncompatibleTemplateException.class)
        .hasMessageContaining("renders only {{ name }} variables")
        .hasMessageContaining("format spec ':d' in {n:d} at line 1, column 24")
        .hasMessageContaining("indexing '[0]' in {items[0]!r} at line 2, column 8")
        .hasMessageContaining("conversion '!r' in {items[0]!r} at line 2, column 8")
        .hasMessageContaining("registerJavaOnly")
        .satisfies(e -> assertThat(((MlflowIncompatibleTemplateException) e).incompatibilities()).hasSize(3));
    assertThat(registry.findModel("mail")).as("nothing is written").isEmpty();
    for (String template : new String[] {"Hi {}", "Hi {0}", "Hi {x!s}", "Hi {cfg[k]}", "Hi {prénom}", "{{{{ raw }}}} {x}"}) {
      assertThatThrownBy(() -> onMlflow.register("mail", template, "1.0.0", "m"))
          .as(template).isInstanceOf(MlflowIncompatibleTemplateException.class);
    }
    // Python would have no text to load: refused there, before anything is written
    assertThatThrownBy(() -> onMlflow.register("long", "{x} " + "word ".repeat(1200), "1.0.0", "m"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("where MLflow's Python client reads it")
        .hasMessageContaining("at most 5000");
    assertThat(registry.findModel("long")).isEmpty();
    assertThat(prompts.register("long", "{x} " + "word ".repeat(1200), "1.0.0", "m").render(Map.of("x", "a")))
        .startsWith("a word word");
    // what MLflow renders is registered as before, in {{ }} syntax
    assertThat(onMlflow.register("mail", "Hello {name}, you have {n} new {kind}!", "1.0.0", "plain").version().tags())
        .containsEntry(PromptRegistry.TEXT, "Hello {{ name }}, you have {{ n }} new {{ kind }}!")
        .doesNotContainKey(PromptRegistry.JAVA_ONLY);
  }

  @Test
  void aJavaOnlyPromptIsKeptAndMarkedSoPythonFailsLoudlyInsteadOfRenderingNothing() {
    PromptRegistry onMlflow = PromptRegistry.on(readByPython());
    PromptVersion v = onMlflow.registerJavaOnly("mail", PromptTemplate.parse("Hello {name}, you have {n:d} new {kind}!"),
        "1.0.0", "first", "the JVM service formats counts");
    assertThat(v.render(Map.of("name", "Ada", "n", 3, "kind", "mails"))).isEqualTo("Hello Ada, you have 3 new mails!");
    assertThat(v.version().tags())
        .containsEntry(PromptRegistry.TEXT, PromptRegistry.JAVA_ONLY_MARKER + "\nHello {name}, you have {n:d} new {kind}!")
        .containsEntry(PromptRegistry.SYNTAX, "python_format")
        .containsEntry(PromptRegistry.JAVA_ONLY, "the JVM service formats counts. MLflow's Python client cannot render:"
            + " format spec ':d' in {n:d} at line 1, column 24. Render it with modelreg (Java)");
    // the marker is a variable MLflow's Python reads (and misses), never part of what Java renders
    assertThat(PromptTemplate.parse(PromptRegistry.JAVA_ONLY_MARKER, PromptTemplate.Syntax.MLFLOW).variables())
        .hasSize(1);
    PromptVersion loaded = PromptRegistry.on(registry).load("prompts:/mail/1");
    assertThat(loaded.template().text()).isEqualTo("Hello {name}, you have {n:d} new {kind}!");
    assertThat(loaded.javaOnly()).contains(v.javaOnly().orElseThrow());
    assertThatThrownBy(() -> onMlflow.registerJavaOnly("mail", PromptTemplate.parse("{n:x}"), "2.0.0", "m", " "))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Say why");
  }

  @Test
  void aJavaOnlyVersionWithoutItsFileLoadsFromTheTagWithoutTheMarker() {
    registry.createModel("tagged", null, Map.of(PromptRegistry.IS_PROMPT, "true"));
    registry.register("tagged", Registration.builder().tag(PromptRegistry.IS_PROMPT, "true")
        .tag(PromptRegistry.SYNTAX, "python_format")
        .tag(PromptRegistry.TEXT, PromptRegistry.JAVA_ONLY_MARKER + "\nTotal {amount:.2f}").build());
    assertThat(prompts.load("prompts:/tagged/1").render(Map.of("amount", 2.5))).isEqualTo("Total 2.50");
  }

  @Test
  void aPromptWrittenByMlflowItselfLoadsFromItsTags() {
    registry.createModel("py", null, Map.of(PromptRegistry.IS_PROMPT, "true"));
    registry.register("py", Registration.builder().tag(PromptRegistry.IS_PROMPT, "true")
        .tag(PromptRegistry.TEXT, "Summarize {{ text }} in {{ n }} words").description("from python").build());
    PromptVersion v = prompts.load("prompts:/py/1");
    assertThat(v.template().syntax()).isEqualTo(PromptTemplate.Syntax.MLFLOW);
    assertThat(v.render(Map.of("text", "this", "n", 5))).isEqualTo("Summarize this in 5 words");
  }

  @Test
  void loadsEveryUriFormAndRefusesModels() {
    prompts.register("greet", "Hi {name}", "1.0.0", "a");
    prompts.register("greet", "Hi {name}!", "1.0.1", "b");
    prompts.register("greet", "Hi {name} {x}", "1.1.0", "c");
    prompts.promote("greet", 2, Stage.STAGING);
    prompts.promote("greet", 2, Stage.PRODUCTION);
    prompts.setAlias("greet", "canary", 3);
    assertThat(prompts.load("prompts:/greet@production").number()).isEqualTo(2);
    assertThat(prompts.load("prompts:/greet/production").number()).isEqualTo(2);
    assertThat(prompts.load("prompts:/greet@canary").number()).isEqualTo(3);
    assertThat(prompts.load("prompts:/greet/1.0.1").number()).isEqualTo(2);
    assertThat(prompts.load("prompts:/greet/^1").number()).isEqualTo(3);
    assertThat(prompts.load("prompts:/greet/~1.0").number()).isEqualTo(2);
    assertThat(prompts.load("prompts:/greet/latest").number()).isEqualTo(3);
    assertThatThrownBy(() -> prompts.load("models:/greet/1")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> prompts.promote("greet", 1, Stage.PRODUCTION)).isInstanceOf(PromotionRejectedException.class);
    registry.register("model", Registration.builder().bytes("w", new byte[] {1}).build());
    assertThatThrownBy(() -> prompts.load("prompts:/model/1")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a prompt");
    assertThatThrownBy(() -> prompts.register("model", "x {y}", "1.0.0", "m")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a prompt");
  }

  @Test
  void compareShowsVariablesAndAUnifiedDiff() {
    prompts.register("mail", "Dear {name},\nthanks for {item}.\nBye", "1.0.0", "a");
    prompts.register("mail", "Dear {name},\nthanks for {item} and {gift}.\nBye", "1.1.0", "b");
    PromptComparison c = prompts.compare("prompts:/mail/1", "prompts:/mail/2");
    assertThat(c.variablesAdded()).containsExactly("gift");
    assertThat(c.variablesRemoved()).isEmpty();
    assertThat(c.requiredBump()).isEqualTo(PromptComparison.Bump.MINOR);
    assertThat(c.diff()).isEqualTo("--- prompts:/mail/1\n+++ prompts:/mail/2\n@@ -1,3 +1,3 @@\n Dear {name},\n"
        + "-thanks for {item}.\n+thanks for {item} and {gift}.\n Bye\n");
  }

  @Test
  void aliasesAreCachedForTheirTtlAndVersionsForever() {
    prompts.register("greet", "Hi {name}", "1.0.0", "a");
    prompts.register("greet", "Hi {name}!", "1.0.1", "b");
    prompts.setAlias("greet", "live", 1);
    assertThat(prompts.load("prompts:/greet@live").number()).isEqualTo(1);
    registry.setAlias("greet", "live", 2);
    assertThat(prompts.load("prompts:/greet@live").number()).isEqualTo(1);
    clock.advance(Duration.ofSeconds(31));
    assertThat(prompts.load("prompts:/greet@live").number()).isEqualTo(2);
  }

  @Test
  void theLastGoodCopyIsServedWhenTheBackendIsDown() {
    AtomicBoolean down = new AtomicBoolean();
    RegistryStore real = MemoryRegistryStore.create();
    RegistryStore flaky = (RegistryStore) Proxy.newProxyInstance(getClass().getClassLoader(),
        new Class<?>[] {RegistryStore.class}, (proxy, method, args) -> {
          if (down.get() && !method.getName().equals("close")) {
            throw new TransientRegistryException("backend unreachable", null);
          }
          try {
            return method.invoke(real, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
    ModelRegistry reg = ModelRegistries.create(flaky, RegistryOptions.builder().cacheTtl(Duration.ZERO).build());
    PromptRegistry p = PromptRegistry.on(reg, Duration.ofSeconds(30), clock);
    p.register("greet", "Hi {name}", "1.0.0", "a");
    p.setAlias("greet", "live", 1);
    assertThat(p.load("prompts:/greet@live").render(Map.of("name", "Ada"))).isEqualTo("Hi Ada");
    down.set(true);
    clock.advance(Duration.ofMinutes(5));
    assertThat(p.load("prompts:/greet@live").number()).isEqualTo(1);
    assertThat(p.load("prompts:/greet/1").number()).isEqualTo(1);
    assertThatThrownBy(() -> p.load("prompts:/greet@other")).isInstanceOf(TransientRegistryException.class);
    down.set(false);
    registry.close();
  }

  @Test
  void variantsAreWeightedAndSticky() {
    prompts.register("greet", "Hi {name}", "1.0.0", "a");
    prompts.register("greet", "Hello {name}", "1.0.1", "b");
    PromptRegistry.Variants v = prompts.variants(Map.of("prompts:/greet/1", 0.8, "prompts:/greet/2", 0.2));
    Map<Integer, Integer> counts = new HashMap<>();
    for (int i = 0; i < 10_000; i++) {
      counts.merge(v.choose("user-" + i).number(), 1, Integer::sum);
    }
    assertThat(counts.get(1)).isBetween(7_700, 8_300);
    assertThat(counts.get(2)).isBetween(1_700, 2_300);
    for (int i = 0; i < 100; i++) {
      assertThat(v.uriFor("user-" + i)).isEqualTo(v.uriFor("user-" + i));
    }
    assertThatThrownBy(() -> prompts.variants(Map.of("prompts:/greet/1", -1.0))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> prompts.load("prompts:/greet@none-such")).isInstanceOf(NotFoundException.class);
  }
}
