/**
 * An embeddable HTTP server over any {@link io.modelreg.ModelRegistry}: the REST API under {@code /api/v1},
 * Server-Sent Events, an OpenAPI 3.1 document, Prometheus metrics and a web console served from the jar.
 *
 * <p>Start one with {@link io.modelreg.server.RegistryServer#start(io.modelreg.ModelRegistry, ServerOptions)}.
 * Everything else in this package is package-private.
 */
@NullMarked
package io.modelreg.server;

import org.jspecify.annotations.NullMarked;
