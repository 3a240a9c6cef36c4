/**
 * The {@code jdbc:postgresql:} backend: the registry in PostgreSQL tables with real constraints, one transaction
 * per write with compare-and-set on a revision column, artifact bytes stored in the database in chunks, and
 * {@code LISTEN/NOTIFY} so other processes see changes at once. See the module README for the schema and the
 * decisions.
 */
@NullMarked
package io.modelreg.jdbc;

import org.jspecify.annotations.NullMarked;
