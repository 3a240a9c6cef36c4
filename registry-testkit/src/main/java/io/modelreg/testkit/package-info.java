/**
 * The compatibility kit: {@link io.modelreg.testkit.RegistryCompatibilityKit} is the contract every
 * {@link io.modelreg.spi.RegistryStore} must pass, ours or a plugin author's.
 */
@NullMarked
package io.modelreg.testkit;

import org.jspecify.annotations.NullMarked;
