package io.modelreg.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.modelreg.Comparison;
import io.modelreg.ModelVersion;
import io.modelreg.RegisteredModel;
import io.modelreg.RegistryEvent;
import io.modelreg.prompts.PromptVersion;
import io.modelreg.spi.RecordTrees;
import java.util.LinkedHashMap;
import java.util.Map;

/** Plain maps of the registry's values, for {@code --json} and for text tables. */
final class Views {
  static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private Views() {}

  static String json(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  static Map<String, Object> model(RegisteredModel m) {
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("name", m.name());
    o.put("description", m.description().orElse(null));
    o.put("tags", m.tags());
    o.put("aliases", m.aliases());
    o.put("created_at", m.createdAt().toString());
    o.put("updated_at", m.updatedAt().toString());
    return o;
  }

  static Map<String, Object> version(ModelVersion v) {
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("uri", v.uri().toString());
    o.put("name", v.name());
    o.put("version", v.number());
    o.put("semver", v.semver().map(Object::toString).orElse(null));
    o.put("stage", v.stage().name());
    o.put("aliases", v.aliases());
    o.put("status", v.status().name());
    o.put("description", v.description().orElse(null));
    o.put("tags", v.tags());
    o.put("params", v.params());
    o.put("metrics", v.latestMetrics());
    o.put("digest", v.digest().toString());
    o.put("files", RecordTrees.files(v.manifest()));
    o.put("lineage", RecordTrees.lineage(v.lineage())); // known facts only; absent ones are left out
    o.put("created_at", v.createdAt().toString());
    o.put("created_by", v.createdBy());
    return o;
  }

  static Map<String, Object> event(RegistryEvent e) {
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("seq", e.sequence());
    o.put("time", e.time().toString());
    o.put("actor", e.actor());
    o.put("type", e.type().name());
    o.put("version", e.version());
    o.put("details", e.details());
    return o;
  }

  static Map<String, Object> comparison(Comparison c, String metric, boolean higherIsBetter) {
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("a", c.a().uri().toString());
    o.put("b", c.b().uri().toString());
    Map<String, Object> metrics = new LinkedHashMap<>();
    c.metrics().forEach((k, d) -> {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("a", d.meanA());
      m.put("b", d.meanB());
      m.put("delta", d.delta());
      m.put("p_value", d.pValue());
      m.put("samples_a", d.samplesA().size());
      m.put("samples_b", d.samplesB().size());
      metrics.put(k, m);
    });
    o.put("metrics", metrics);
    Map<String, Object> params = new LinkedHashMap<>();
    c.paramChanges().forEach((k, p) -> params.put(k, java.util.Arrays.asList(p.a(), p.b())));
    o.put("params", params);
    o.put("signature", c.signatureDifferences());
    Map<String, Object> conditions = new LinkedHashMap<>();
    c.conditionDifferences().forEach((m, diff) -> {
      Map<String, Object> keys = new LinkedHashMap<>();
      diff.forEach((k, p) -> keys.put(k, java.util.Arrays.asList(p.a(), p.b())));
      conditions.put(m, keys);
    });
    o.put("condition_differences", conditions);
    o.put("same_artifacts", c.sameArtifacts());
    c.winner(metric, higherIsBetter).ifPresent(w -> {
      Map<String, Object> verdict = new LinkedHashMap<>();
      verdict.put("version", w.winner().uri().toString());
      verdict.put("metric", w.metric());
      verdict.put("delta", w.delta());
      verdict.put("confidence", w.confidence());
      o.put("winner", verdict);
    });
    return o;
  }

  static Map<String, Object> prompt(PromptVersion p) {
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("uri", p.uri());
    o.put("semver", p.semver().toString());
    o.put("stage", p.stage().name());
    o.put("aliases", p.aliases());
    o.put("message", p.message());
    o.put("template", p.template().text());
    o.put("syntax", p.template().syntax().name());
    o.put("variables", p.template().variableNames());
    p.bumpOverride().ifPresent(r -> o.put("bump_override", r));
    p.javaOnly().ifPresent(r -> o.put("java_only", r));
    return o;
  }
}
