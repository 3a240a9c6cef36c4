/**
 * Prompt templates and versioned prompts. {@link io.modelreg.prompts.PromptTemplate} renders Python
 * {@code str.format} templates exactly as CPython does for the mapped Java values, and MLflow's {@code {{
 * name }}} templates; {@link io.modelreg.prompts.PromptRegistry} keeps prompts as registered models with
 * semantic versions checked against the change.
 */
@NullMarked
package io.modelreg.prompts;

import org.jspecify.annotations.NullMarked;
