package io.modelreg;

import io.modelreg.spi.ModelRecord;
import io.modelreg.spi.RegistryStore;
import io.modelreg.spi.StoreCapability;
import io.modelreg.spi.VersionRecord;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;

/**
 * The half of {@link ModelRegistry} that changes nothing: reads of models and versions, resolution, search,
 * history, comparison, watches, artifact reads and maintenance, each handed to the collaborator that does
 * it, plus the registry's lifecycle (open until {@link #close}). It decides no rule beyond checking its
 * arguments; {@link PolicyRegistry} adds every write and the rules that govern it.
 *
 * <p>The collaborators live here so both halves share one of each: {@link CachedReads} (records through
 * caches of bounded age), {@link Resolution} (what a URI names), {@link ModelWrites} (the write lock and the
 * one compare-and-set loop), {@link ArtifactUploads} (uploads hashed as they stream), {@link ArtifactReads}
 * (verified reads, downloads, verify), {@link Search}
 * with {@link Ordering} (filters, order, page tokens) and {@link EventWatch} (the watch thread).
 */
abstract class RegistryReads implements ModelRegistry {
  final RegistryStore store;
  final RegistryOptions options;
  final CachedReads reads;
  final ModelWrites writes;
  final ArtifactUploads uploads;
  private final ArtifactReads artifacts;
  private final Resolution resolution;
  private final Search search;
  private final EventWatch watch;
  private volatile boolean closed;

  RegistryReads(RegistryStore store, RegistryOptions options) {
    this.store = store;
    this.options = options;
    this.reads = new CachedReads(store, options);
    this.resolution = new Resolution(reads);
    this.watch = new EventWatch(store, options, reads::forget);
    this.writes = new ModelWrites(store, options, reads,
        new Backoff(options.ticker(), () -> ThreadLocalRandom.current().nextLong()), watch::wake);
    this.uploads = new ArtifactUploads(store);
    this.artifacts = new ArtifactReads(store);
    this.search = new Search(store, reads);
  }

  @Override
  public String describe() {
    return store.describe();
  }

  @Override
  public Set<StoreCapability> capabilities() {
    return store.capabilities();
  }

  @Override
  public RegisteredModel getModel(String name) {
    Names.checkModelName(name);
    return RegisteredModel.of(reads.model(name));
  }

  @Override
  public Optional<RegisteredModel> findModel(String name) {
    Names.checkModelName(name);
    return Optional.ofNullable(reads.modelOrNull(name)).map(RegisteredModel::of);
  }

  @Override
  public List<RegisteredModel> listModels() {
    return reads.allModels().stream().map(RegisteredModel::of).toList();
  }

  @Override
  public Page<RegisteredModel> searchModels(SearchRequest request) {
    return search.models(request);
  }

  @Override
  public ModelVersion getVersion(String name, int number) {
    return findVersion(name, number).orElseThrow(() -> {
      reads.model(name); // a missing model is reported as such
      return new VersionNotFoundException("Version " + number + " of model '" + name + "' not found");
    });
  }

  @Override
  public Optional<ModelVersion> findVersion(String name, int number) {
    Names.checkModelName(name);
    Names.checkVersionNumber(number);
    ModelRecord m = reads.modelOrNull(name);
    VersionRecord v = m == null ? null : reads.versionOrNull(m, number);
    return m == null || v == null ? Optional.empty() : Optional.of(CachedReads.view(m, v));
  }

  @Override
  public ModelVersion resolve(ModelUri uri) {
    return resolution.resolve(uri);
  }

  @Override
  public Optional<ModelVersion> find(ModelUri uri) {
    try {
      return Optional.of(resolve(uri));
    } catch (NotFoundException e) {
      return Optional.empty();
    }
  }

  @Override
  public List<ModelVersion> listVersions(String name) {
    Names.checkModelName(name);
    ModelRecord m = reads.model(name);
    return reads.versions(m).stream().map(v -> CachedReads.view(m, v)).toList();
  }

  @Override
  public Page<ModelVersion> searchVersions(SearchRequest request) {
    return search.versions(request);
  }

  @Override
  public List<RegistryEvent> history(String name) {
    Names.checkModelName(name);
    List<RegistryEvent> events = store.readEvents(name, 0);
    if (events.isEmpty() && reads.modelOrNull(name) == null) {
      throw new ModelNotFoundException(name);
    }
    return events;
  }

  @Override
  public Comparison compare(ModelUri a, ModelUri b) {
    return Comparison.of(resolve(a), resolve(b));
  }

  @Override
  public Subscription watch(String name, Consumer<RegistryEvent> listener) {
    Names.checkModelName(name);
    requireOpen();
    return watch.add(name, listener);
  }

  @Override
  public Subscription watchAll(Consumer<RegistryEvent> listener) {
    requireOpen();
    return watch.add(null, listener);
  }

  @Override
  public InputStream openArtifact(ModelVersion version, String path) {
    return artifacts.open(version, path);
  }

  @Override
  public Path download(ModelVersion version, Path directory) {
    return artifacts.download(version, directory);
  }

  @Override
  public VerificationReport verify() {
    requireOpen();
    return artifacts.verify();
  }

  @Override
  public GcReport gc() {
    requireOpen();
    return store.collectGarbage();
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      watch.shutdown();
      store.close();
    }
  }

  /**
   * @throws IllegalStateException once the registry is closed
   */
  final void requireOpen() {
    if (closed) {
      throw new IllegalStateException("The registry " + store.describe() + " is closed");
    }
  }
}
