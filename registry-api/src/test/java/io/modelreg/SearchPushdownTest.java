package io.modelreg;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelreg.mem.MemoryRegistryStore;
import io.modelreg.spi.RegistryStore;
import io.modelreg.spi.SearchClause;
import io.modelreg.spi.VersionRecord;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which clauses of a version filter the policy layer offers a store, and that it still checks them all. */
class SearchPushdownTest {
  private static List<String> pushed(String filter) {
    List<String> out = new ArrayList<>();
    for (SearchClause c : Search.pushable(Filter.parse(filter, Filter.Target.VERSIONS))) {
      out.add(c.subject() + (c.key() == null ? "" : "." + c.key()) + " " + c.op() + " " + c.values());
    }
    return out;
  }

  @Test
  void nameNumberAndTagComparisonsArePushedTheRestIsNot() {
    assertThat(pushed("name = 'a' AND version_number > 3 AND tags.team = 'ml' AND tags.x LIKE 'p%'"))
        .containsExactly("MODEL_NAME EQ [a]", "VERSION_NUMBER GT [3]", "VERSION_TAG.team EQ [ml]", "VERSION_TAG.x LIKE [p%]");
    assertThat(pushed("name IN ('a', 'b') AND name LIKE 'a%'")).containsExactly("MODEL_NAME IN [a, b]", "MODEL_NAME LIKE [a%]");
    assertThat(pushed("tags.team != 'ml' AND tags.team ILIKE 'ML' AND metrics.auc != 0.9 AND alias != 'champion'"
        + " AND stage != 'Production' AND version_number > 2.5 AND params.lr = '0.1' AND run_id = 'r'")).isEmpty();
  }

  @Test
  void metricStageAndAliasComparisonsArePushedExceptWhatTheStoreCannotKnow() {
    assertThat(pushed("metrics.auc > 0.9 AND metrics.loss <= 1e-5 AND metrics.f1 IN (1, 0.5) AND metrics.n = NaN"))
        .containsExactly("VERSION_METRIC.auc GT [0.9]", "VERSION_METRIC.loss LE [1.0E-5]",
            "VERSION_METRIC.f1 IN [1.0, 0.5]", "VERSION_METRIC.n EQ [NaN]");
    assertThat(pushed("stage = 'Production' AND stage IN ('staging', 'archived') AND alias = 'champion'"
        + " AND alias IN ('a', 'b')"))
        .containsExactly("STAGE EQ [PRODUCTION]", "STAGE IN [STAGING, ARCHIVED]", "ALIAS EQ [champion]", "ALIAS IN [a, b]");
    // development is every version without a stored stage; production/staging are managed aliases; LIKE is not pushed
    assertThat(pushed("stage = 'development' AND stage IN ('production', 'development') AND alias = 'production'"
        + " AND alias IN ('x', 'staging') AND alias LIKE 'c%'")).isEmpty();
  }

  @Test
  void aStoreIsOfferedOnlyTheSubjectsItNames() {
    Filter f = Filter.parse("name = 'a' AND metrics.auc > 0.9 AND stage = 'production' AND alias = 'c' AND tags.t = 'x'",
        Filter.Target.VERSIONS);
    assertThat(Search.pushable(f, MemoryRegistryStore.create().searchSubjects())).extracting(SearchClause::subject)
        .containsExactly(SearchClause.Subject.MODEL_NAME, SearchClause.Subject.VERSION_TAG);
    assertThat(Search.pushable(f, java.util.EnumSet.allOf(SearchClause.Subject.class))).hasSize(5);
  }

  @Test
  void aStoreThatAnswersMetricStageAndAliasClausesTooWidelyDoesNotWidenTheResult() throws Exception {
    MemoryRegistryStore memory = MemoryRegistryStore.create();
    List<List<SearchClause>> offered = new ArrayList<>();
    RegistryStore wide = (RegistryStore) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {RegistryStore.class},
        (proxy, method, args) -> {
          if (method.getName().equals("searchSubjects")) {
            return java.util.EnumSet.allOf(SearchClause.Subject.class);
          }
          if (method.getName().equals("searchVersions")) {
            @SuppressWarnings("unchecked")
            List<SearchClause> clauses = (List<SearchClause>) args[0];
            offered.add(clauses);
            List<VersionRecord> all = new ArrayList<>();
            memory.listModelNames().forEach(n -> all.addAll(memory.listVersions(n)));
            return Optional.of(all);
          }
          try {
            return method.invoke(memory, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
    try (ModelRegistry registry = ModelRegistries.create(wide, RegistryOptions.defaults())) {
      registry.register("a", Registration.builder().bytes("m", new byte[] {1}).metric("auc", 0.95).build());
      registry.register("a", Registration.builder().bytes("m", new byte[] {2}).metric("auc", 0.5).build());
      registry.setAlias("a", "champion", 2);
      assertThat(registry.searchVersions("metrics.auc > 0.9")).extracting(ModelVersion::number).containsExactly(1);
      assertThat(registry.searchVersions("alias = 'champion'")).extracting(ModelVersion::number).containsExactly(2);
      assertThat(offered).extracting(l -> l.get(0).subject())
          .containsExactly(SearchClause.Subject.VERSION_METRIC, SearchClause.Subject.ALIAS);
    }
  }

  @Test
  void aStoreThatAnswersTooMuchDoesNotWidenTheResult() throws Exception {
    MemoryRegistryStore memory = MemoryRegistryStore.create();
    // answers every push-down with every version, ignoring the clauses: a superset
    RegistryStore wide = (RegistryStore) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {RegistryStore.class},
        (proxy, method, args) -> {
          if (method.getName().equals("searchVersions")) {
            List<VersionRecord> all = new ArrayList<>();
            memory.listModelNames().forEach(n -> all.addAll(memory.listVersions(n)));
            return Optional.of(all);
          }
          try {
            return method.invoke(memory, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
    try (ModelRegistry registry = ModelRegistries.create(wide, RegistryOptions.defaults())) {
      registry.register("a", Registration.builder().bytes("m", new byte[] {1}).tag("team", "ml").build());
      registry.register("b", Registration.builder().bytes("m", new byte[] {2}).tag("team", "web").build());
      assertThat(registry.searchVersions("tags.team = 'ml'")).extracting(ModelVersion::name).containsExactly("a");
      assertThat(registry.searchVersions("version_number = 1")).extracting(ModelVersion::name).containsExactly("a", "b");
    }
  }
}
