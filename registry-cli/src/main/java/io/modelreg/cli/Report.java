package io.modelreg.cli;

import io.modelreg.ModelRegistry;
import io.modelreg.ModelVersion;
import io.modelreg.RegistryEvent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A self-contained HTML report of one model: a chart per metric across versions, a stage timeline from the
 * history, and a comparison table. No network: the data is embedded as JSON and a small script draws the
 * charts as SVG when the page opens.
 */
final class Report {
  private Report() {}

  static String html(ModelRegistry registry, String name) {
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("model", name);
    List<Object> versions = new ArrayList<>();
    for (ModelVersion v : registry.listVersions(name)) {
      Map<String, Object> o = new LinkedHashMap<>();
      o.put("number", v.number());
      o.put("semver", v.semver().map(Object::toString).orElse(""));
      o.put("stage", v.stage().name());
      o.put("aliases", v.aliases());
      o.put("metrics", v.latestMetrics());
      o.put("created", v.createdAt().toString());
      versions.add(o);
    }
    data.put("versions", versions);
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
      </style></head>
      <body>
      <h1>Model <code>%TITLE%</code></h1>
      <h2>Metrics across versions</h2><div id="metrics"></div>
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
