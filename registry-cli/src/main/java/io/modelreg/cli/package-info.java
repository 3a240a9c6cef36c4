/** The {@code modelreg} command line, built on picocli; see the module README for commands and exit codes. */
@NullMarked
package io.modelreg.cli;

import org.jspecify.annotations.NullMarked;
