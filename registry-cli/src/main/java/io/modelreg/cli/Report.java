package io.modelreg.cli;

import io.modelreg.MetricRecord;
import io.modelreg.ModelRegistry;
import io.modelreg.ModelVersion;
import io.modelreg.RegistryEvent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A self-contained HTML report of one model: a chart per metric across versions, the latency distribution of
 * each version's newest benchmark ({@code modelreg bench}) next to its quality metrics, with a warning when the
 * versions were measured under different conditions, a stage timeline from the history, and a comparison
 * table. No network: the data is embedded as JSON and a small script draws the charts as SVG when the page
 * opens.
 */
final class Report {
  private Report() {}

  static String html(ModelRegistry registry, String name) {
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("model", name);
    List<Object> versions = new ArrayList<>();
    Map<Integer, Map<String, String>> benchConditions = new TreeMap<>();
    for (ModelVersion v : registry.listVersions(name)) {
      Map<String, Object> o = new LinkedHashMap<>();
      o.put("number", v.number());
      o.put("semver", v.semver().map(Object::toString).orElse(""));
      o.put("stage", v.stage().name());
      o.put("aliases", v.aliases());
      Map<String, Double> metrics = new TreeMap<>(v.latestMetrics());
      // latency percentiles are drawn as distributions below, not one chart each
      metrics.keySet().removeIf(k -> LATENCY.matcher(k).matches());
      o.put("metrics", metrics);
      o.put("created", v.createdAt().toString());
      MetricRecord bench = latestBench(v);
      if (bench != null) {
        o.put("bench", bench(bench));
        benchConditions.put(v.number(), bench.conditions());
      }
      versions.add(o);
    }
    data.put("versions", versions);
    data.put("condition_differences", differences(benchConditions));
    List<Object> stages = new ArrayList<>();
    for (RegistryEvent e : registry.history(name)) {
      if (e.type() == RegistryEvent.Type.STAGE_CHANGED || e.type() == RegistryEvent.Type.ROLLBACK
          || e.type() == RegistryEvent.Type.VERSION_REGISTERED) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("time", e.time().toString());
        o.put("version", e.version());
        o.put("type", e.type().name());
        o.put("to", e.type() == RegistryEvent.Type.VERSION_REGISTERED ? "DEVELOPMENT"
            : e.type() == RegistryEvent.Type.ROLLBACK ? "PRODUCTION" : e.details().getOrDefault("to", ""));
        o.put("from", e.details().getOrDefault("from", ""));
        stages.add(o);
        String replaced = e.details().get("from");
        if (e.type() == RegistryEvent.Type.ROLLBACK && replaced != null) {
          Map<String, Object> archived = new LinkedHashMap<>(o);
          archived.put("version", Integer.parseInt(replaced));
          archived.put("to", "ARCHIVED");
          stages.add(archived);
        }
      }
    }
    data.put("events", stages);
    String json = Views.json(data).replace("</", "<\\/");
    return TEMPLATE.replace("%TITLE%", escape(name)).replace("%DATA%", json);
  }

  /** {@code latency.b<batch>.<stat>_ms} and friends, as {@code modelreg bench} records them. */
  static final Pattern LATENCY = Pattern.compile("latency\\.b(\\d+)\\.([a-z0-9_]+)");

  /** The newest metric run of {@code v} that holds benchmark latencies; null when there is none. */
  static @org.jspecify.annotations.Nullable MetricRecord latestBench(ModelVersion v) {
    List<MetricRecord> runs = v.metricRuns();
    for (int i = runs.size() - 1; i >= 0; i--) {
      if (runs.get(i).values().keySet().stream().anyMatch(k -> LATENCY.matcher(k).matches())) {
        return runs.get(i);
      }
    }
    return null;
  }

  /** A benchmark run for the page: latency statistics by batch size, the other values, the conditions. */
  private static Map<String, Object> bench(MetricRecord run) {
    Map<String, Map<String, Double>> latency = new TreeMap<>((x, y) -> Integer.compare(Integer.parseInt(x), Integer.parseInt(y)));
    Map<String, Double> other = new TreeMap<>();
    run.values().forEach((k, x) -> {
      Matcher m = LATENCY.matcher(k);
      if (m.matches()) {
        latency.computeIfAbsent(m.group(1), b -> new TreeMap<>()).put(m.group(2), x);
      } else {
        other.put(k, x);
      }
    });
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("run_id", run.runId());
    o.put("time", run.time().toString());
    o.put("latency", latency);
    o.put("values", other);
    o.put("conditions", run.conditions());
    return o;
  }

  /** Condition key → version number → value, for the keys whose values differ between the versions' newest benchmarks. */
  static Map<String, Map<Integer, String>> differences(Map<Integer, Map<String, String>> byVersion) {
    TreeSet<String> keys = new TreeSet<>();
    byVersion.values().forEach(c -> keys.addAll(c.keySet()));
    Map<String, Map<Integer, String>> out = new TreeMap<>();
    for (String k : keys) {
      // which versions were interleaved in one run differs by design between runs; it is shown, not warned about
      if (k.equals("interleaved")) {
        continue;
      }
      Map<Integer, String> values = new TreeMap<>();
      byVersion.forEach((n, c) -> values.put(n, c.getOrDefault(k, "(not recorded)")));
      if (new TreeSet<>(values.values()).size() > 1) {
        out.put(k, values);
      }
    }
    return out;
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }

  private static final String TEMPLATE = """
      <!DOCTYPE html>
      <html lang="en"><head><meta charset="utf-8"><title>modelreg report: %TITLE%</title>
      <style>
        body { font: 14px system-ui, sans-serif; margin: 2em; color: #222; }
        h1 { font-size: 1.4em; } h2 { font-size: 1.1em; margin-top: 2em; }
        table { border-collapse: collapse; } td, th { border: 1px solid #ccc; padding: 4px 8px; text-align: right; }
        th { background: #f4f4f4; } .chart { margin: 1em 0; } .axis { stroke: #888; } .label { font-size: 11px; fill: #444; }
        .warning { background: #fff4e0; border: 1px solid #f0a030; padding: 6px 10px; margin: 0.5em 0; }
      </style></head>
      <body>
      <h1>Model <code>%TITLE%</code></h1>
      <h2>Metrics across versions</h2><div id="metrics"></div>
      <h2>Latency and quality (newest benchmark of each version)</h2><div id="conditions"></div><div id="latency"></div>
      <h2>Stage timeline</h2><div id="timeline"></div>
      <h2>Comparison</h2><div id="table"></div>
      <script id="data" type="application/json">%DATA%</script>
      <script>
      (function () {
        var data = JSON.parse(document.getElementById('data').textContent);
        var NS = 'http://www.w3.org/2000/svg';
        function el(tag, attrs, parent) {
          var e = document.createElementNS(NS, tag);
          for (var k in attrs) e.setAttribute(k, attrs[k]);
          if (parent) parent.appendChild(e);
          return e;
        }
        function text(parent, x, y, s, anchor) {
          var t = el('text', {x: x, y: y, 'class': 'label', 'text-anchor': anchor || 'middle'}, parent);
          t.textContent = s;
        }
        var names = {};
        data.versions.forEach(function (v) { Object.keys(v.metrics).forEach(function (m) { names[m] = true; }); });
        Object.keys(names).sort().forEach(function (metric) {
          var pts = data.versions.filter(function (v) { return metric in v.metrics; })
              .map(function (v) { return {x: v.number, y: v.metrics[metric]}; });
          var W = 480, H = 180, P = 36;
          var svg = el('svg', {width: W, height: H, 'class': 'chart', 'data-metric': metric}, document.getElementById('metrics'));
          var xs = pts.map(function (p) { return p.x; }), ys = pts.map(function (p) { return p.y; });
          var x0 = Math.min.apply(null, xs), x1 = Math.max.apply(null, xs), y0 = Math.min.apply(null, ys), y1 = Math.max.apply(null, ys);
          if (x0 === x1) { x0 -= 1; x1 += 1; } if (y0 === y1) { y0 -= 1; y1 += 1; }
          function sx(x) { return P + (x - x0) / (x1 - x0) * (W - 2 * P); }
          function sy(y) { return H - P - (y - y0) / (y1 - y0) * (H - 2 * P); }
          el('line', {x1: P, y1: H - P, x2: W - P, y2: H - P, 'class': 'axis'}, svg);
          el('line', {x1: P, y1: P, x2: P, y2: H - P, 'class': 'axis'}, svg);
          el('path', {d: pts.map(function (p, i) { return (i ? 'L' : 'M') + sx(p.x) + ' ' + sy(p.y); }).join(' '),
              fill: 'none', stroke: '#3366cc', 'stroke-width': 2}, svg);
          pts.forEach(function (p) {
            el('circle', {cx: sx(p.x), cy: sy(p.y), r: 4, fill: '#3366cc'}, svg);
            text(svg, sx(p.x), H - P + 14, 'v' + p.x);
            text(svg, sx(p.x), sy(p.y) - 8, (+p.y).toPrecision(4));
          });
          text(svg, P, 16, metric, 'start');
        });
        function esc(s) { return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'); }
        var benched = data.versions.filter(function (v) { return v.bench; });
        var diffs = Object.keys(data.condition_differences);
        if (diffs.length) {
          var warn = document.createElement('div');
          warn.className = 'warning';
          warn.textContent = 'Measured under different conditions, compare with care: ' + diffs.map(function (k) {
            var byV = data.condition_differences[k];
            return k + ' (' + Object.keys(byV).map(function (n) { return 'v' + n + ': ' + byV[n]; }).join(', ') + ')';
          }).join('; ');
          document.getElementById('conditions').appendChild(warn);
        }
        var batches = {};
        benched.forEach(function (v) { Object.keys(v.bench.latency).forEach(function (b) { batches[b] = true; }); });
        Object.keys(batches).sort(function (x, y) { return x - y; }).forEach(function (b) {
          var rows = benched.filter(function (v) { return v.bench.latency[b]; });
          var W = 640, row = 34, P = 90, H = rows.length * row + 44;
          var svg = el('svg', {width: W, height: H, 'class': 'chart latency', 'data-batch': b}, document.getElementById('latency'));
          // a log scale: call times span orders of magnitude, and a linear one squashes the median against the tail
          var hi = Math.max.apply(null, rows.map(function (v) { return v.bench.latency[b].max_ms || v.bench.latency[b].p99_ms; }));
          var lo = Math.min.apply(null, rows.map(function (v) { var l = v.bench.latency[b]; return l.min_ms > 0 ? l.min_ms : l.p50_ms / 2; }));
          if (!(lo > 0)) { lo = hi / 1000; } if (!(hi > lo)) { hi = lo * 10; }
          var l0 = Math.log(lo), l1 = Math.log(hi);
          function sx(x) { return P + (Math.log(Math.max(x, lo)) - l0) / (l1 - l0) * (W - P - 20); }
          for (var e = Math.ceil(Math.log10(lo)); e <= Math.floor(Math.log10(hi)); e++) {
            var tx = sx(Math.pow(10, e));
            el('line', {x1: tx, y1: 20, x2: tx, y2: H - 14, stroke: '#e4e4e4'}, svg);
            text(svg, tx, H - 2, Math.pow(10, e) >= 1 ? String(Math.pow(10, e)) : Math.pow(10, e).toFixed(-e));
          }
          text(svg, P, 14, (b === '1' ? 'single row' : 'batch of ' + b) + ': ms per call, log scale (line min–max, blue p50–p95, orange p95–p99)', 'start');
          rows.forEach(function (v, i) {
            var l = v.bench.latency[b], y = 30 + i * row;
            text(svg, 8, y + 12, 'v' + v.number, 'start');
            el('line', {x1: sx(l.min_ms || 0), y1: y + 8, x2: sx(l.max_ms || l.p99_ms), y2: y + 8, stroke: '#888'}, svg);
            el('rect', {x: sx(l.p50_ms), y: y, width: Math.max(1, sx(l.p95_ms) - sx(l.p50_ms)), height: 16, fill: '#9bbbe8'}, svg);
            el('rect', {x: sx(l.p95_ms), y: y, width: Math.max(1, sx(l.p99_ms) - sx(l.p95_ms)), height: 16, fill: '#f0c080'}, svg);
            el('line', {x1: sx(l.p50_ms), y1: y - 2, x2: sx(l.p50_ms), y2: y + 18, stroke: '#3366cc', 'stroke-width': 3}, svg);
            text(svg, sx(l.p50_ms), y + 30, (+l.p50_ms).toPrecision(3));
            text(svg, sx(l.p99_ms), y + 30, (+l.p99_ms).toPrecision(3));
          });
        });
        if (benched.length) {
          var qnames = {};
          benched.forEach(function (v) { Object.keys(v.bench.values).forEach(function (k) { qnames[k] = true; }); });
          var qs = Object.keys(qnames).sort();
          var qt = document.createElement('table');
          qt.className = 'bench';
          qt.innerHTML = '<tr><th>version</th><th>run</th>' + qs.map(function (k) { return '<th>' + k + '</th>'; }).join('') +
              '<th>p50 ms (b1)</th><th>p99 ms (b1)</th><th>machine</th></tr>' + benched.map(function (v) {
                var l = v.bench.latency['1'] || {}, c = v.bench.conditions;
                return '<tr><td>v' + v.number + '</td><td>' + esc(v.bench.run_id) + '</td>' + qs.map(function (k) {
                  return '<td>' + (k in v.bench.values ? (+v.bench.values[k]).toPrecision(4) : '') + '</td>'; }).join('') +
                  '<td>' + (l.p50_ms === undefined ? '' : (+l.p50_ms).toPrecision(3) + ' ±' + (+l.p50_err_ms).toPrecision(2)) +
                  '</td><td>' + (l.p99_ms === undefined ? '' : (+l.p99_ms).toPrecision(3)) + '</td><td>' +
                  esc([c.cpu, c.cores && c.cores + ' cores', c.jdk && 'JDK ' + c.jdk].filter(Boolean).join(', ')) + '</td></tr>';
              }).join('');
          document.getElementById('latency').appendChild(qt);
        }
        var colors = {DEVELOPMENT: '#9e9e9e', STAGING: '#f0a030', PRODUCTION: '#2e9e4f', ARCHIVED: '#cc4444'};
        var events = data.events, versions = data.versions.map(function (v) { return v.number; });
        if (events.length) {
          var t0 = Date.parse(events[0].time), t1 = Date.parse(events[events.length - 1].time) + 1;
          var W = 640, row = 26, P = 60, H = versions.length * row + 40;
          var svg = el('svg', {width: W, height: H, 'class': 'timeline'}, document.getElementById('timeline'));
          versions.forEach(function (n, i) {
            text(svg, 8, 24 + i * row, 'v' + n, 'start');
            var mine = events.filter(function (e) { return e.version === n; });
            mine.forEach(function (e, j) {
              var start = Date.parse(e.time), end = j + 1 < mine.length ? Date.parse(mine[j + 1].time) : t1;
              var x = P + (start - t0) / (t1 - t0) * (W - P - 10), w = Math.max(3, (end - start) / (t1 - t0) * (W - P - 10));
              el('rect', {x: x, y: 10 + i * row, width: w, height: row - 8, fill: colors[e.to] || '#666'}, svg);
            });
          });
          Object.keys(colors).forEach(function (s, i) {
            el('rect', {x: P + i * 120, y: H - 18, width: 12, height: 12, fill: colors[s]}, svg);
            text(svg, P + i * 120 + 16, H - 8, s.toLowerCase(), 'start');
          });
        }
        var table = document.createElement('table');
        var metrics = Object.keys(names).sort();
        var head = '<tr><th>version</th><th>semver</th><th>stage</th><th>aliases</th>' +
            metrics.map(function (m) { return '<th>' + m + '</th>'; }).join('') + '</tr>';
        table.innerHTML = head + data.versions.map(function (v) {
          return '<tr><td>' + v.number + '</td><td>' + v.semver + '</td><td>' + v.stage + '</td><td>' + v.aliases.join(', ') +
              '</td>' + metrics.map(function (m) { return '<td>' + (m in v.metrics ? (+v.metrics[m]).toPrecision(4) : '') + '</td>'; }).join('') + '</tr>';
        }).join('');
        document.getElementById('table').appendChild(table);
      })();
      </script>
      </body></html>
      """;
}
