/**
 * The service-provider interface a backend implements: {@link io.modelreg.spi.RegistryProvider}
 * (found by {@link java.util.ServiceLoader} or registered explicitly, chosen by URI scheme) opens a
 * {@link io.modelreg.spi.RegistryStore}, which persists records, artifact bytes and events and holds
 * no business rules. Every backend must pass {@code io.modelreg.testkit.RegistryCompatibilityKit}.
 */
@NullMarked
package io.modelreg.spi;

import org.jspecify.annotations.NullMarked;
