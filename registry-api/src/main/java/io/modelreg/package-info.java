/**
 * The modelreg user API: {@link io.modelreg.ModelRegistries} opens a {@link io.modelreg.ModelRegistry}
 * by URI; value types describe registered models, versions, URIs, stages and events.
 *
 * <p>Every business rule (names, semantic versions, stages, aliases, tags, integrity, history) lives in
 * one policy implementation in this package; backends behind {@link io.modelreg.spi.RegistryStore} only
 * persist.
 */
@NullMarked
package io.modelreg;

import org.jspecify.annotations.NullMarked;
