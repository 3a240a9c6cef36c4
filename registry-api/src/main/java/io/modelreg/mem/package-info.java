/**
 * The in-memory {@code mem:} store: the reference implementation of {@link io.modelreg.spi.RegistryStore},
 * for users' unit tests and the compatibility kit's own tests. {@code mem:} opens a private, empty store;
 * {@code mem:NAME} opens a store shared by every registry of this class loader that names it, which is
 * how tests simulate several processes on one registry.
 */
@NullMarked
package io.modelreg.mem;

import org.jspecify.annotations.NullMarked;
