package io.modelreg;

import io.modelreg.spi.ModelRecord;
import io.modelreg.spi.RegistryStore;
import io.modelreg.spi.SearchClause;
import io.modelreg.spi.VersionRecord;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * {@code searchModels} and {@code searchVersions}: parses the filter, offers the store the clauses it may
 * evaluate itself ({@link RegistryStore#searchVersions}), evaluates the whole filter here on what comes back
 * (or on the cached records, model by model, when the store reads nothing in bulk), then orders and pages the
 * matches ({@link Ordering}). Results never depend on the backend.
 */
final class Search {
  private final RegistryStore store;
  private final CachedReads reads;

  Search(RegistryStore store, CachedReads reads) {
    this.store = store;
    this.reads = reads;
  }

  Page<RegisteredModel> models(SearchRequest request) {
    Filter filter = Filter.parse(request.filter(), Filter.Target.MODELS);
    List<RegisteredModel> matches = new ArrayList<>();
    for (ModelRecord record : reads.allModels()) {
      RegisteredModel m = RegisteredModel.of(record);
      if (filter.test(m)) {
        matches.add(m);
      }
    }
    matches.sort(Ordering.models(request.orderBy()));
    return Ordering.page(matches, request);
  }

  Page<ModelVersion> versions(SearchRequest request) {
    Filter filter = Filter.parse(request.filter(), Filter.Target.VERSIONS);
    List<ModelVersion> matches = new ArrayList<>();
    Optional<List<VersionRecord>> pushed = store.searchVersions(pushable(filter, store.searchSubjects()));
    if (pushed.isPresent()) {
      Map<String, ModelRecord> owners = owners(pushed.get());
      for (VersionRecord v : pushed.get()) {
        ModelRecord m = owners.get(v.model());
        if (m != null) {
          addIfMatching(filter, CachedReads.view(m, v), matches);
        }
      }
    } else {
      for (String name : candidateNames(filter)) {
        ModelRecord m = reads.modelOrNull(name);
        if (m != null) {
          for (VersionRecord v : reads.versions(m)) {
            addIfMatching(filter, CachedReads.view(m, v), matches);
          }
        }
      }
    }
    matches.sort(Ordering.versions(request.orderBy()));
    return Ordering.page(matches, request);
  }

  private static void addIfMatching(Filter filter, ModelVersion v, List<ModelVersion> matches) {
    if (filter.test(v)) {
      matches.add(v);
    }
  }

  /**
   * The clauses of a version filter a store may evaluate itself (see {@link RegistryStore#searchVersions}):
   * the model name compared exactly, by LIKE or IN; the version number compared with a whole number; version
   * tags compared exactly or by LIKE; metrics compared with a number ({@code =}, {@code <}, {@code <=},
   * {@code >}, {@code >=}, IN); the stage by {@code =} or IN unless a value is {@code DEVELOPMENT} (the stage of
   * versions the model names none for); aliases by {@code =} or IN unless a value is a managed alias ({@code
   * production}, {@code staging}). Not pushed: {@code !=} (how a backend treats a version without the tag is its
   * own business), ILIKE (case folding differs between databases), and params, run id, source, semver —
   * all evaluated here on what the store returns, as is every clause whose subject the store does not name in
   * {@link RegistryStore#searchSubjects}.
   */
  static List<SearchClause> pushable(Filter filter, Set<SearchClause.Subject> subjects) {
    List<SearchClause> out = new ArrayList<>();
    for (SearchClause c : pushable(filter)) {
      if (subjects.contains(c.subject())) {
        out.add(c);
      }
    }
    return out;
  }

  /** Every clause of {@code filter} that can be pushed down to a store that understands every subject. */
  static List<SearchClause> pushable(Filter filter) {
    List<SearchClause> out = new ArrayList<>();
    for (Filter.Clause c : filter.clauses()) {
      SearchClause.@Nullable Op op = switch (c.op()) {
        case EQ -> SearchClause.Op.EQ;
        case LT -> SearchClause.Op.LT;
        case LE -> SearchClause.Op.LE;
        case GT -> SearchClause.Op.GT;
        case GE -> SearchClause.Op.GE;
        case LIKE -> SearchClause.Op.LIKE;
        case IN -> SearchClause.Op.IN;
        default -> null;
      };
      if (op == null) {
        continue;
      }
      String key = c.key();
      if (c.field() == Filter.Field.METRIC) {
        if (key != null && op != SearchClause.Op.LIKE) {
          List<String> numbers = new ArrayList<>();
          c.values().forEach(v -> numbers.add(Double.toString((Double) v)));
          out.add(new SearchClause(SearchClause.Subject.VERSION_METRIC, key, op, numbers));
        }
        continue;
      }
      if (c.field() == Filter.Field.STAGE) {
        if ((op == SearchClause.Op.EQ || op == SearchClause.Op.IN) && !c.values().contains(Stage.DEVELOPMENT)) {
          List<String> stages = new ArrayList<>();
          c.values().forEach(v -> stages.add(((Stage) v).name()));
          out.add(new SearchClause(SearchClause.Subject.STAGE, null, op, stages));
        }
        continue;
      }
      List<String> texts = new ArrayList<>();
      for (Object v : c.values()) {
        if (v instanceof String text) {
          texts.add(text);
        } else if (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue()) && Math.abs(n.doubleValue()) < 1e15) {
          texts.add(Long.toString((long) n.doubleValue()));
        }
      }
      if (texts.size() != c.values().size()) {
        continue;
      }
      if (c.field() == Filter.Field.NAME && (op == SearchClause.Op.EQ || op == SearchClause.Op.LIKE || op == SearchClause.Op.IN)) {
        out.add(new SearchClause(SearchClause.Subject.MODEL_NAME, null, op, texts));
      } else if (c.field() == Filter.Field.VERSION_NUMBER && op != SearchClause.Op.LIKE && op != SearchClause.Op.IN) {
        out.add(new SearchClause(SearchClause.Subject.VERSION_NUMBER, null, op, texts));
      } else if (c.field() == Filter.Field.TAG && key != null && (op == SearchClause.Op.EQ || op == SearchClause.Op.LIKE)) {
        out.add(new SearchClause(SearchClause.Subject.VERSION_TAG, key, op, texts));
      } else if (c.field() == Filter.Field.ALIAS && (op == SearchClause.Op.EQ || op == SearchClause.Op.IN)
          && !texts.contains(Stage.PRODUCTION.label()) && !texts.contains(Stage.STAGING.label())) {
        out.add(new SearchClause(SearchClause.Subject.ALIAS, null, op, texts));
      }
    }
    return out;
  }

  /**
   * The records of the models owning {@code versions}: the cached ones and, in one read, the others ({@link
   * RegistryStore#findModels}); never a listing of every model.
   */
  private Map<String, ModelRecord> owners(List<VersionRecord> versions) {
    Set<String> names = new HashSet<>();
    versions.forEach(v -> names.add(v.model()));
    return reads.models(names);
  }

  /** The models a version search must look at when the store reads no versions in bulk. */
  private List<String> candidateNames(Filter filter) {
    for (Filter.Clause c : filter.clauses()) {
      if (c.field() == Filter.Field.NAME && c.op() == Filter.Op.EQ) {
        String name = (String) c.values().get(0);
        return Names.checkModelNameOrNull(name) == null ? List.of() : List.of(name);
      }
    }
    return reads.names();
  }
}
