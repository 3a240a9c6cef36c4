/**
 * {@link io.modelreg.inference.pool.ModelPool}: many models in one process inside a memory budget, with
 * leases, routing, sticky traffic splits and zero-downtime switching when an alias or stage moves.
 */
@NullMarked
package io.modelreg.inference.pool;

import org.jspecify.annotations.NullMarked;
