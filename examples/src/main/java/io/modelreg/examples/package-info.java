/** Small programs a user copies from; {@link io.modelreg.examples.Quickstart} tells the whole story. */
@NullMarked
package io.modelreg.examples;

import org.jspecify.annotations.NullMarked;
