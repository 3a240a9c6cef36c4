package io.modelreg;

/** How the registry checks the semantic versions of a model's versions. */
public enum SemverPolicy {
  /** Each new semantic version must be greater (by SemVer precedence) than every existing one. Default. */
  STRICTLY_INCREASING,
  /** Semantic versions must be unique per model, in any order (back-ports: 1.4.3 after 2.0.0). */
  UNIQUE,
  /** Not checked. */
  UNCHECKED
}
