package io.modelreg.spi;

/**
 * What {@link RegistryStore#findVersionByAlias} found: the version a user alias names, and a record of its model
 * that agrees with the store's current state on everything a view of that version shows — its stage, the aliases
 * pointing at it, and whether it holds a managed alias. The model record may be older in every other respect
 * (other versions, tags, description), so the policy layer uses it for this view only: it never caches it and
 * never writes from it.
 *
 * @param model the model record to view {@code version} through
 * @param version the version the alias names
 */
public record AliasTarget(ModelRecord model, VersionRecord version) {}
