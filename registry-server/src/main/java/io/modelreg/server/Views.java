package io.modelreg.server;

import io.modelreg.ArtifactEntry;
import io.modelreg.Comparison;
import io.modelreg.Lineage;
import io.modelreg.MetricRecord;
import io.modelreg.ModelVersion;
import io.modelreg.RegisteredModel;
import io.modelreg.RegistryEvent;
import io.modelreg.Signature;
import io.modelreg.prompts.PromptVersion;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The JSON shapes of the API, built as plain maps (the OpenAPI document describes each one). */
final class Views {
  private Views() {}

  static Map<String, Object> model(RegisteredModel m) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("name", m.name());
    out.put("description", m.description().orElse(null));
    out.put("tags", m.tags());
    out.put("aliases", m.aliases());
    out.put("userAliases", m.userAliases());
    out.put("productionVersion", m.productionVersion().orElse(null));
    out.put("stagingVersion", m.aliases().get("staging"));
    out.put("productionHistory", m.productionHistory());
    out.put("createdAt", m.createdAt().toString());
    out.put("updatedAt", m.updatedAt().toString());
    return out;
  }

  static Map<String, Object> version(ModelVersion v) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("name", v.name());
    out.put("number", v.number());
    out.put("uri", v.uri().toString());
    out.put("semver", v.semver().map(Object::toString).orElse(null));
    out.put("stage", v.stage().name());
    out.put("status", v.status().name());
    out.put("aliases", v.aliases());
    out.put("description", v.description().orElse(null));
    out.put("tags", v.tags());
    out.put("params", v.params());
    out.put("metrics", v.metrics());
    out.put("latestMetrics", v.latestMetrics());
    List<Map<String, Object>> runs = new ArrayList<>();
    for (MetricRecord r : v.metricRuns()) {
      runs.add(metricRecord(r));
    }
    out.put("metricRuns", runs);
    out.put("lineage", lineage(v.lineage()));
    out.put("signature", v.signature().map(Views::signature).orElse(null));
    List<Map<String, Object>> files = new ArrayList<>();
    for (ArtifactEntry e : v.manifest().files()) {
      files.add(file(e));
    }
    out.put("files", files);
    out.put("digest", v.digest().toString());
    out.put("createdAt", v.createdAt().toString());
    out.put("createdBy", v.createdBy());
    out.put("updatedAt", v.updatedAt().toString());
    return out;
  }

  static Map<String, Object> file(ArtifactEntry e) {
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("path", e.path());
    f.put("size", e.size());
    f.put("digest", e.digest().toString());
    return f;
  }

  static Map<String, Object> metricRecord(MetricRecord r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("runId", r.runId());
    m.put("time", r.time().toString());
    m.put("values", r.values());
    m.put("notes", r.notes());
    return m;
  }

  static Map<String, Object> lineage(Lineage l) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("runId", l.runId());
    m.put("sourceUri", l.sourceUri());
    m.put("parentVersion", l.parentVersion());
    m.put("gitCommit", l.gitCommit());
    m.put("gitDirty", l.gitDirty());
    m.put("datasets", l.datasets());
    m.put("dependencies", l.dependencies());
    return m;
  }

  static Map<String, Object> signature(Signature s) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("inputs", fields(s.inputs()));
    m.put("outputs", fields(s.outputs()));
    return m;
  }

  private static List<Map<String, Object>> fields(List<Signature.Field> fields) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (Signature.Field f : fields) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", f.name());
      m.put("type", f.type());
      m.put("shape", f.shape());
      m.put("required", f.required());
      out.add(m);
    }
    return out;
  }

  static Map<String, Object> event(RegistryEvent e) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("model", e.model());
    m.put("sequence", e.sequence());
    m.put("time", e.time().toString());
    m.put("actor", e.actor());
    m.put("type", e.type().name());
    m.put("version", e.version());
    m.put("details", e.details());
    return m;
  }

  static Map<String, Object> comparison(Comparison c) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("a", c.a().uri().toString());
    out.put("b", c.b().uri().toString());
    List<Map<String, Object>> metrics = new ArrayList<>();
    c.metrics().forEach((name, d) -> {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("metric", name);
      m.put("samplesA", d.samplesA());
      m.put("samplesB", d.samplesB());
      m.put("meanA", d.meanA());
      m.put("meanB", d.meanB());
      m.put("delta", d.delta());
      m.put("pValue", d.pValue());
      m.put("confidence", d.pValue() == null ? null : 1 - d.pValue());
      metrics.add(m);
    });
    out.put("metrics", metrics);
    Map<String, Object> params = new LinkedHashMap<>();
    c.paramChanges().forEach((k, p) -> {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("a", p.a());
      m.put("b", p.b());
      params.put(k, m);
    });
    out.put("paramChanges", params);
    out.put("signatureDifferences", c.signatureDifferences());
    out.put("sameArtifacts", c.sameArtifacts());
    return out;
  }

  static Map<String, Object> prompt(PromptVersion p) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", p.name());
    m.put("number", p.number());
    m.put("uri", p.uri());
    m.put("semver", p.semver().toString());
    m.put("stage", p.stage().name());
    m.put("aliases", p.aliases());
    m.put("template", p.template().text());
    m.put("syntax", p.template().syntax().name());
    m.put("variables", new ArrayList<>(p.template().variableNames()));
    m.put("message", p.message());
    m.put("bumpOverride", p.bumpOverride().orElse(null));
    m.put("javaOnly", p.javaOnly().orElse(null));
    return m;
  }
}
