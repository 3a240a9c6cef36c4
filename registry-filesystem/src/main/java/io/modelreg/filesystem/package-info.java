/**
 * The {@code file:} backend: a registry directory that several JVMs may write at once, that survives a
 * process killed at any instant, and that a person can read and back up with ordinary tools. See the
 * module README for the layout and the guarantees.
 */
@NullMarked
package io.modelreg.filesystem;

import org.jspecify.annotations.NullMarked;
