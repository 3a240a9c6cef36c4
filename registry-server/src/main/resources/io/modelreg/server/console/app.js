// modelreg console: plain JavaScript, no dependencies, no cookies. Talks only to /api/v1 on this origin.
'use strict';
(function () {
  const API = '/api/v1';
  const state = { server: null, route: null, model: null, revision: null, versions: [], pool: null, timers: [] };

  // ------------------------------------------------------------------ small helpers
  function h(tag, attrs, ...children) {
    const svg = ['svg', 'circle', 'line', 'rect', 'text', 'g', 'path', 'title'].includes(tag);
    const el = svg ? document.createElementNS('http://www.w3.org/2000/svg', tag) : document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'onclick' || k === 'oninput' || k === 'onchange') el.addEventListener(k.slice(2), v);
      else if (k === 'text') el.textContent = v;
      else el.setAttribute(k, v === true ? '' : String(v));
    }
    for (const c of children.flat()) {
      if (c === null || c === undefined || c === false) continue;
      el.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
    }
    return el;
  }
  const $ = (sel) => document.querySelector(sel);
  const fmt = (x) => (x === null || x === undefined) ? '—'
    : (typeof x === 'number' ? (Number.isInteger(x) ? String(x) : (Math.abs(x) >= 1000 || Math.abs(x) < 0.001 ? x.toExponential(3) : x.toFixed(4).replace(/0+$/, '').replace(/\.$/, ''))) : String(x));
  const when = (iso) => iso ? new Date(iso).toLocaleString() : '—';
  const short = (digest) => digest ? digest.replace('sha256:', '').slice(0, 12) : '';
  const enc = encodeURIComponent;
  const LOWER_IS_BETTER = /latency|loss|error|_ms$|_us$|rmse|mae|mse|time/i;

  function token() { return sessionStorage.getItem('modelreg.token') || ''; }

  async function api(method, path, body, ifMatch) {
    const headers = { 'Accept': 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (method !== 'GET' && token()) headers['Authorization'] = 'Bearer ' + token();
    if (ifMatch) headers['If-Match'] = ifMatch;
    const r = await fetch(API + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store' });
    const type = r.headers.get('Content-Type') || '';
    const data = type.includes('json') ? await r.json() : await r.text();
    if (!r.ok) {
      const e = new Error((data && data.detail) || (r.status + ' ' + r.statusText));
      e.problem = data; e.status = r.status;
      throw e;
    }
    return { data, etag: r.headers.get('ETag') };
  }

  function show(...nodes) {
    const view = $('#view');
    view.replaceChildren(...nodes.flat().filter(Boolean));
  }
  function failure(e) {
    return h('div', { class: 'error', 'data-testid': 'error' }, e.message,
      e.problem && e.problem.errors ? h('ul', {}, e.problem.errors.map((x) => h('li', { text: x }))) : null);
  }

  // ------------------------------------------------------------------ routing
  function parseRoute() {
    const parts = (location.hash.replace(/^#\/?/, '') || '').split('/').map(decodeURIComponent);
    return { page: parts[0] || 'catalog', args: parts.slice(1) };
  }
  async function render() {
    state.timers.forEach(clearInterval); state.timers = [];
    state.route = parseRoute();
    document.querySelectorAll('nav a').forEach((a) => a.classList.toggle('active', a.dataset.nav === state.route.page));
    try {
      switch (state.route.page) {
        case 'model': await modelPage(state.route.args[0]); break;
        case 'compare': await comparePage(state.route.args[0], (state.route.args[1] || '').split(',').filter(Boolean).map(Number)); break;
        case 'history': await historyPage(state.route.args[0]); break;
        case 'live': await livePage(); break;
        default: await catalogPage();
      }
    } catch (e) {
      show(h('h1', { text: 'Something went wrong' }), failure(e));
    }
  }

  // ------------------------------------------------------------------ catalog
  async function catalogPage() {
    const { data } = await api('GET', '/models');
    const input = h('input', { type: 'search', id: 'search', placeholder: "Find a model by name or tag, or search versions: metrics.accuracy > 0.9 AND stage = 'production'", 'aria-label': 'Search' });
    const body = h('tbody');
    const results = h('div', { id: 'search-results' });
    function fill(filter) {
      const f = filter.trim().toLowerCase();
      body.replaceChildren(...data.items.filter((m) => !f || m.name.toLowerCase().includes(f)
        || Object.entries(m.tags).some(([k, v]) => (k + '=' + v).toLowerCase().includes(f))).map(catalogRow));
    }
    let pending = null;
    input.addEventListener('input', () => {
      const text = input.value;
      if (/(=|<|>| like | ilike | in )/i.test(text)) {
        clearTimeout(pending);
        pending = setTimeout(() => searchVersions(text, results), 250);
        fill('');
      } else {
        results.replaceChildren();
        fill(text);
      }
    });
    fill('');
    show(h('h1', { text: 'Models' }), input, results,
      h('div', { class: 'table-wrap' }, h('table', { id: 'catalog' },
        h('thead', {}, h('tr', {}, ['Model', 'Production', 'Staging', 'Aliases', 'Last change'].map((t) => h('th', { text: t })))), body)));
    input.focus();
  }
  function catalogRow(m) {
    const aliases = Object.entries(m.userAliases).map(([a, v]) => h('span', { class: 'tag' }, '@' + a + ' → v' + v));
    return h('tr', { 'data-model': m.name },
      h('td', {}, h('a', { href: '#/model/' + enc(m.name), text: m.name }), m.prompt ? h('span', { class: 'tag', text: 'prompt' }) : null,
        m.description ? h('div', { class: 'muted', text: m.description }) : null),
      h('td', { text: m.productionVersion ? 'v' + m.productionVersion : '—' }),
      h('td', { text: m.stagingVersion ? 'v' + m.stagingVersion : '—' }),
      h('td', {}, aliases.length ? aliases : '—'),
      h('td', { text: when(m.updatedAt) }));
  }
  async function searchVersions(filter, into) {
    try {
      const { data } = await api('GET', '/search/versions?filter=' + enc(filter) + '&maxResults=200');
      into.replaceChildren(h('h2', { text: data.items.length + ' matching versions' }),
        h('div', { class: 'table-wrap' }, h('table', { id: 'search-table' }, h('tbody', {}, data.items.map((v) => h('tr', {},
          h('td', {}, h('a', { href: '#/model/' + enc(v.name), text: v.name + ' v' + v.number })),
          h('td', { text: v.semver || '' }), h('td', {}, h('span', { class: 'tag stage-' + v.stage, text: v.stage })),
          h('td', { text: Object.entries(v.latestMetrics).map(([k, x]) => k + '=' + fmt(x)).join(', ') })))))));
    } catch (e) {
      into.replaceChildren(failure(e));
    }
  }

  // ------------------------------------------------------------------ model page
  async function loadModel(name) {
    const [m, vs] = await Promise.all([api('GET', '/models/' + enc(name)), api('GET', '/models/' + enc(name) + '/versions')]);
    state.model = m.data; state.revision = m.etag; state.versions = vs.data.items;
  }
  const NEXT = { DEVELOPMENT: 'STAGING', STAGING: 'PRODUCTION', ARCHIVED: 'STAGING' };
  async function modelPage(name, flash) {
    await loadModel(name);
    const m = state.model;
    const writable = !state.server.readOnly;
    const selected = new Set();
    const compareButton = h('button', { id: 'compare-selected', type: 'button', disabled: true, onclick: () => {
      location.hash = '#/compare/' + enc(name) + '/' + [...selected].sort((a, b) => a - b).join(',');
    } }, 'Compare selected');
    const rows = state.versions.slice().reverse().map((v) => {
      const box = h('input', { type: 'checkbox', 'aria-label': 'select v' + v.number, 'data-select': v.number, onchange: (ev) => {
        if (ev.target.checked) selected.add(v.number); else selected.delete(v.number);
        compareButton.disabled = selected.size < 2;
      } });
      const actions = [];
      if (writable && NEXT[v.stage]) actions.push(h('button', { type: 'button', class: 'small', 'data-action': 'promote', onclick: () => confirmStage(v, NEXT[v.stage]) }, 'Promote to ' + NEXT[v.stage].toLowerCase()));
      if (writable && v.stage !== 'ARCHIVED') actions.push(h('button', { type: 'button', class: 'small', 'data-action': 'archive', onclick: () => confirmStage(v, 'ARCHIVED') }, 'Archive'));
      if (writable) actions.push(h('button', { type: 'button', class: 'small', 'data-action': 'alias', onclick: () => confirmAlias(v) }, 'Set alias…'));
      const lineage = [v.lineage.runId && 'run ' + v.lineage.runId, v.lineage.gitCommit && 'git ' + v.lineage.gitCommit.slice(0, 10) + (v.lineage.gitDirty ? ' (dirty)' : ''),
        v.lineage.parentVersion && 'from v' + v.lineage.parentVersion, v.lineage.sourceUri, ...(v.lineage.datasets || [])].filter(Boolean);
      return h('tr', { 'data-version': v.number, class: flash === v.number ? 'flash' : null },
        h('td', {}, box), h('td', { text: 'v' + v.number }), h('td', { text: v.semver || '—' }),
        h('td', {}, h('span', { class: 'tag stage-' + v.stage, 'data-stage': v.stage, text: v.stage })),
        h('td', { 'data-aliases': v.aliases.join(',') }, v.aliases.map((a) => h('span', { class: 'tag', text: '@' + a }))),
        h('td', { class: 'mono' }, Object.entries(v.latestMetrics).map(([k, x]) => h('div', { text: k + ' = ' + fmt(x) })),
          v.metricRuns.length ? h('div', { class: 'muted', text: v.metricRuns.length + ' recorded run' + (v.metricRuns.length > 1 ? 's' : '') }) : null),
        h('td', { class: 'hide-narrow' }, h('div', { text: v.createdBy }), h('div', { class: 'muted', text: when(v.createdAt) })),
        h('td', { class: 'hide-narrow mono' }, lineage.length ? lineage.map((l) => h('div', { text: l })) : '—'),
        h('td', { class: 'hide-narrow' }, h('details', {}, h('summary', { class: 'mono', text: v.files.length + ' files · ' + short(v.digest) }),
          h('ul', { class: 'mono' }, v.files.map((f) => h('li', {}, h('a', { href: API + '/models/' + enc(name) + '/versions/' + v.number + '/artifacts/' + f.path.split('/').map(enc).join('/'), text: f.path }),
            ' ' + f.size + ' B ' + short(f.digest)))))),
        h('td', {}, actions));
    });
    show(h('h1', { 'data-testid': 'model-name' }, m.name),
      m.description ? h('p', { class: 'muted', text: m.description }) : null,
      h('div', { class: 'toolbar' }, compareButton,
        h('a', { href: '#/history/' + enc(name) }, 'History'),
        writable && m.productionVersion ? h('button', { type: 'button', id: 'rollback', onclick: confirmRollback }, 'Roll back production') : null,
        h('span', { class: 'muted', 'data-testid': 'revision', text: 'revision ' + (state.revision || '').replace(/"/g, '') })),
      h('div', { class: 'table-wrap' }, h('table', { id: 'versions' }, h('thead', {}, h('tr', {},
        ['', 'Version', 'Semver', 'Stage', 'Aliases', 'Metrics', 'Who / when', 'Lineage', 'Files', ''].map((t, i) => h('th', { class: i >= 6 && i <= 8 ? 'hide-narrow' : null, text: t })))),
      h('tbody', {}, rows))));
  }
  function label(v) { return 'v' + v.number + (v.semver ? ' (' + v.semver + ', ' + v.stage.toLowerCase() + ')' : ' (' + v.stage.toLowerCase() + ')'); }
  function byNumber(n) { return state.versions.find((x) => x.number === n); }

  function confirmStage(v, target) {
    const changes = ['v' + v.number + ': ' + v.stage + ' → ' + target];
    const prod = state.model.productionVersion;
    if (target === 'PRODUCTION' && prod && prod !== v.number) changes.push('v' + prod + ' (now in production) → ARCHIVED');
    if (target === 'ARCHIVED' && prod === v.number) changes.push('the model will have no production version');
    openConfirm({
      title: (target === 'ARCHIVED' ? 'Archive ' : 'Promote ') + state.model.name + ' v' + v.number,
      text: 'This will change ' + state.model.name + ' (at revision ' + (state.revision || '').replace(/"/g, '') + '):',
      changes,
      run: () => api('POST', '/models/' + enc(state.model.name) + '/versions/' + v.number + '/stage', { stage: target }, state.revision),
    });
  }
  function confirmRollback() {
    const prod = state.model.productionVersion;
    // the version rollback brings back: the newest earlier holder that still exists (as the registry picks it)
    const target = (state.model.productionHistory || []).slice().reverse().find((n) => n !== prod && byNumber(n));
    openConfirm({
      title: 'Roll back ' + state.model.name,
      text: target ? 'Production returns to v' + target + ', which held it before v' + prod + ':'
        : 'No earlier production version is recorded; the registry will refuse this rollback:',
      changes: target ? ['v' + prod + ' (now in production) → ARCHIVED', 'v' + target + ' (' + byNumber(target).stage + ') → PRODUCTION']
        : ['nothing'],
      run: () => api('POST', '/models/' + enc(state.model.name) + '/rollback', undefined, state.revision),
    });
  }
  function confirmAlias(v) {
    const existing = Object.keys(state.model.userAliases);
    const input = h('input', { type: 'text', id: 'alias-name', list: 'alias-names', value: existing[0] || '', 'aria-label': 'Alias', autocomplete: 'off' });
    const list = h('datalist', { id: 'alias-names' }, existing.map((a) => h('option', { value: a })));
    const describe = () => {
      const alias = input.value.trim();
      const from = state.model.userAliases[alias];
      if (!alias) return ['Type an alias name'];
      if (from === v.number) return ['@' + alias + ' already points to v' + v.number + ': nothing changes'];
      return [from ? 'Move @' + alias + ' of ' + state.model.name + ' from ' + label(byNumber(from) || { number: from, stage: '?' }) + ' to ' + label(v)
        : 'Create @' + alias + ' of ' + state.model.name + ' pointing to ' + label(v),
        'Services loading models:/' + state.model.name + '@' + alias + ' switch to v' + v.number];
    };
    openConfirm({
      title: 'Set an alias to v' + v.number,
      fields: [h('label', { for: 'alias-name' }, 'Alias '), input, list],
      text: 'This will change ' + state.model.name + ' (at revision ' + (state.revision || '').replace(/"/g, '') + '):',
      changes: describe, watch: input,
      run: () => api('PUT', '/models/' + enc(state.model.name) + '/aliases/' + enc(input.value.trim()), { version: v.number }, state.revision),
    });
  }

  function openConfirm(spec) {
    const dlg = $('#confirm');
    $('#confirm-title').textContent = spec.title;
    $('#confirm-fields').replaceChildren(...(spec.fields || []));
    $('#confirm-text').textContent = spec.text;
    const err = $('#confirm-error');
    err.hidden = true; err.replaceChildren();
    const ok = $('#confirm-ok');
    const paint = () => {
      const changes = typeof spec.changes === 'function' ? spec.changes() : spec.changes;
      $('#confirm-changes').replaceChildren(...changes.map((c) => h('li', { text: c })));
    };
    paint();
    if (spec.watch) spec.watch.addEventListener('input', paint);
    ok.disabled = false;
    ok.onclick = async () => {
      ok.disabled = true;
      try {
        await spec.run();
        dlg.close();
        await render();
      } catch (e) {
        err.hidden = false;
        if (e.status === 409 && e.problem && e.problem.type.endsWith('/stale-revision')) {
          err.replaceChildren(h('p', { text: 'Not changed: someone else changed ' + state.model.name + ' since this page loaded. The page now shows the current state; check and try again.' }));
          await loadModel(state.model.name);
          await render();
          if (!dlg.open) dlg.showModal();
        } else if (e.status === 401) {
          err.replaceChildren(h('p', { text: 'Not changed: ' + e.message + '. Use the Token button.' }));
        } else {
          err.replaceChildren(failure(e));
        }
        ok.disabled = false;
      }
    };
    $('#confirm-cancel').onclick = () => dlg.close();
    dlg.showModal();
  }

  // ------------------------------------------------------------------ compare
  async function comparePage(name, numbers) {
    await loadModel(name);
    const versions = numbers.map(byNumber).filter(Boolean);
    if (versions.length < 2) {
      show(h('h1', { text: 'Compare' }), h('p', { text: 'Pick two or more versions on the model page.' }));
      return;
    }
    const base = versions[0];
    const metrics = [...new Set(versions.flatMap((v) => [...Object.keys(v.latestMetrics), ...v.metricRuns.flatMap((r) => Object.keys(r.values))]))].sort();
    const lower = metrics.filter((m) => LOWER_IS_BETTER.test(m));
    const comparisons = await Promise.all(versions.slice(1).map((v) => api('GET', '/compare?a=' + enc('models:/' + name + '/' + base.number)
      + '&b=' + enc('models:/' + name + '/' + v.number) + (lower.length ? '&lowerIsBetter=' + enc(lower.join(',')) : '')).then((r) => r.data)));
    let pool = null;
    if (state.server.pool) { try { pool = (await api('GET', '/pool')).data; } catch (e) { pool = null; } }
    const head = h('tr', {}, h('th', { text: '' }), versions.map((v) => h('th', { text: 'v' + v.number + (v === base ? ' (baseline)' : '') })));
    const row = (title, f) => h('tr', {}, h('th', { text: title }), versions.map((v, i) => h('td', {}, f(v, i))));
    const rows = [row('Semver', (v) => v.semver || '—'), row('Stage', (v) => h('span', { class: 'tag stage-' + v.stage, text: v.stage })),
      row('Aliases', (v) => v.aliases.map((a) => '@' + a).join(' ') || '—'), row('Created', (v) => v.createdBy + ', ' + when(v.createdAt)),
      row('Digest', (v) => h('span', { class: 'mono', text: short(v.digest) }))];
    for (const m of metrics) {
      rows.push(row(m, (v, i) => {
        const x = v.latestMetrics[m];
        if (i === 0) return fmt(x);
        const d = comparisons[i - 1].metrics.find((z) => z.metric === m);
        const w = comparisons[i - 1].winners[m];
        return h('span', {}, fmt(x), d && d.delta !== null ? h('span', { class: 'muted', text: ' (Δ ' + (d.delta >= 0 ? '+' : '') + fmt(d.delta)
          + (d.confidence !== null ? ', confidence ' + (100 * d.confidence).toFixed(1) + '%' : '') + ')' }) : null,
          w ? h('span', { class: w.winner.endsWith('/' + v.number) ? 'ok' : 'muted', text: w.winner.endsWith('/' + v.number) ? ' ✓ better' : '' }) : null);
      }));
    }
    if (pool) {
      for (const q of ['p50', 'p95', 'p99']) {
        rows.push(row('live ' + q + ' latency (pool)', (v) => {
          const s = pool.versions.find((z) => z.key === name + '/' + v.number);
          return s ? fmt(s[q + 'Micros'] / 1000) + ' ms' : '—';
        }));
      }
    }
    const params = comparisons.map((c, i) => h('div', {}, h('h3', { text: 'v' + base.number + ' → v' + versions[i + 1].number }),
      Object.keys(c.paramChanges).length ? h('table', { class: 'params' }, h('tbody', {}, Object.entries(c.paramChanges).map(([k, p]) =>
        h('tr', {}, h('th', { text: k }), h('td', { text: p.a === null ? '(absent)' : p.a }), h('td', { text: '→ ' + (p.b === null ? '(absent)' : p.b) })))))
        : h('p', { class: 'muted', text: 'Same parameters.' }),
      c.signatureDifferences.length ? h('ul', { class: 'signature' }, c.signatureDifferences.map((d) => h('li', { text: d }))) : h('p', { class: 'muted', text: 'Same signature.' }),
      h('p', { class: 'muted', text: c.sameArtifacts ? 'Same artifacts.' : 'Different artifacts.' })));
    show(h('h1', {}, 'Compare ', h('a', { href: '#/model/' + enc(name), text: name })),
      h('div', { class: 'table-wrap' }, h('table', { id: 'compare-table' }, h('thead', {}, head), h('tbody', {}, rows))),
      h('h2', { text: 'Metrics' }),
      h('p', { class: 'muted', text: 'Each dot is one sample (the registered value and every recorded run, benchmarks included); the bar is the mean with its 95% interval. ' + (lower.length ? 'Lower is better for ' + lower.join(', ') + '.' : '') }),
      h('div', { class: 'charts', id: 'charts' }, metrics.map((m) => chart(m, versions))),
      h('h2', { text: 'Parameters and signature' }), params);
  }
  function samples(v, m) {
    const out = [];
    if (v.metrics[m] !== undefined) out.push(v.metrics[m]);
    for (const r of v.metricRuns) if (r.values[m] !== undefined) out.push(r.values[m]);
    return out;
  }
  function stats(xs) {
    const n = xs.length;
    if (!n) return null;
    const mean = xs.reduce((a, b) => a + b, 0) / n;
    const sd = n > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - mean) * (b - mean), 0) / (n - 1)) : 0;
    return { n, mean, half: n > 1 ? 1.96 * sd / Math.sqrt(n) : 0 };
  }
  function chart(metric, versions) {
    const W = 360, H = 200, L = 54, R = 10, T = 12, B = 30;
    const all = versions.map((v) => samples(v, metric));
    const st = all.map(stats);
    const values = all.flat().concat(st.filter(Boolean).flatMap((s) => [s.mean - s.half, s.mean + s.half]));
    let lo = Math.min(...values), hi = Math.max(...values);
    if (!isFinite(lo)) { lo = 0; hi = 1; }
    if (lo === hi) { lo -= Math.abs(lo) * 0.1 || 1; hi += Math.abs(hi) * 0.1 || 1; }
    const pad = (hi - lo) * 0.08; lo -= pad; hi += pad;
    const y = (x) => T + (H - T - B) * (1 - (x - lo) / (hi - lo));
    const step = (W - L - R) / versions.length;
    const g = [h('line', { class: 'axis', x1: L, y1: T, x2: L, y2: H - B }), h('line', { class: 'axis', x1: L, y1: H - B, x2: W - R, y2: H - B }),
      h('text', { class: 'label', x: L - 4, y: y(hi - pad) + 4, 'text-anchor': 'end', text: fmt(hi - pad) }),
      h('text', { class: 'label', x: L - 4, y: y(lo + pad) + 4, 'text-anchor': 'end', text: fmt(lo + pad) })];
    versions.forEach((v, i) => {
      const cx = L + step * (i + 0.5);
      g.push(h('text', { class: 'label', x: cx, y: H - B + 16, 'text-anchor': 'middle', text: 'v' + v.number }));
      all[i].forEach((x, j) => g.push(h('circle', { class: 'sample', cx: cx - 10 + (all[i].length > 1 ? 20 * j / (all[i].length - 1) : 10), cy: y(x), r: 4,
        'data-version': v.number, 'data-value': x }, h('title', { text: metric + ' = ' + x }))));
      const s = st[i];
      if (s) {
        g.push(h('line', { class: 'mean', x1: cx - 16, x2: cx + 16, y1: y(s.mean), y2: y(s.mean), 'data-mean': s.mean }));
        if (s.half > 0) g.push(h('line', { class: 'ci', x1: cx, x2: cx, y1: y(s.mean - s.half), y2: y(s.mean + s.half) }));
      }
    });
    return h('div', { class: 'chart' }, h('h3', { text: metric }),
      h('svg', { viewBox: '0 0 ' + W + ' ' + H, role: 'img', 'aria-label': metric + ' by version', 'data-metric': metric, class: 'metric-chart' }, g));
  }

  // ------------------------------------------------------------------ history
  async function historyPage(name) {
    const { data } = await api('GET', '/models/' + enc(name) + '/history');
    show(h('h1', {}, 'History of ', h('a', { href: '#/model/' + enc(name), text: name })),
      h('ol', { class: 'timeline', id: 'timeline' }, data.items.slice().reverse().map((e) => h('li', { 'data-sequence': e.sequence },
        h('div', {}, h('strong', { text: e.type.replace(/_/g, ' ').toLowerCase() }), e.version ? ' v' + e.version : '',
          ' ', h('span', { class: 'muted', text: 'by ' + e.actor + ', ' + when(e.time) })),
        Object.keys(e.details).length ? h('div', { class: 'mono', text: Object.entries(e.details).map(([k, v]) => k + ': ' + v).join(' · ') }) : null))));
  }

  // ------------------------------------------------------------------ live pool
  async function livePage() {
    if (!state.server.pool) {
      show(h('h1', { text: 'Live' }), h('p', { text: 'This server was started without a model pool: there is nothing loaded to show. Registry changes appear in the Live changes panel.' }));
      return;
    }
    const box = h('div', { id: 'pool' });
    const switches = h('ol', { id: 'switches' });
    show(h('h1', { text: 'Live: model pool' }), box, h('h2', { text: 'Switches' }), switches);
    (state.switchLog || []).forEach((s) => switches.prepend(switchItem(s)));
    const paint = async () => {
      const { data: p } = await api('GET', '/pool');
      const used = Math.min(1, p.budgetBytes ? p.bytesInUse / p.budgetBytes : 0);
      box.replaceChildren(
        h('div', { class: 'cards' },
          h('div', { class: 'card' }, h('div', { class: 'muted', text: 'Loaded models' }), h('div', { class: 'value', 'data-testid': 'loaded', text: p.loadedModels })),
          h('div', { class: 'card' }, h('div', { class: 'muted', text: 'Memory used / budget' }),
            h('div', { class: 'value', text: mib(p.bytesInUse) + ' / ' + mib(p.budgetBytes) }),
            h('svg', { viewBox: '0 0 200 12', 'aria-label': 'memory used' }, h('rect', { class: 'bar-free', x: 0, y: 0, width: 200, height: 12 }),
              h('rect', { class: 'bar-used', x: 0, y: 0, width: 200 * used, height: 12 }))),
          h('div', { class: 'card' }, h('div', { class: 'muted', text: 'Hit rate' }), h('div', { class: 'value', text: (100 * p.hitRate).toFixed(1) + '%' })),
          h('div', { class: 'card' }, h('div', { class: 'muted', text: 'Waiting / refused' }), h('div', { class: 'value', text: p.waiting + ' / ' + p.refused }))),
        h('h2', { text: 'Per version' }),
        h('div', { class: 'table-wrap' }, h('table', { id: 'pool-versions' }, h('thead', {}, h('tr', {}, ['Version', 'Requests', 'Errors', 'p50', 'p95', 'p99'].map((t) => h('th', { text: t })))),
          h('tbody', {}, p.versions.map((s) => h('tr', { 'data-key': s.key }, h('td', { text: s.key }), h('td', { text: s.requests }), h('td', { text: s.errors }),
            ['p50Micros', 'p95Micros', 'p99Micros'].map((q) => h('td', { text: fmt(s[q] / 1000) + ' ms' }))))))));
    };
    await paint();
    state.timers.push(setInterval(() => paint().catch(() => {}), 2000));
  }
  const mib = (b) => (b / 1048576).toFixed(1) + ' MiB';
  function switchItem(s) { return h('li', {}, when(s.time) + ' ' + s.uri + ': ' + s.from + ' → ' + s.to); }

  // ------------------------------------------------------------------ live events
  function connectEvents() {
    const src = new EventSource(API + '/events');
    const conn = $('#conn');
    src.onopen = () => { conn.textContent = 'live'; conn.classList.add('live'); };
    src.onerror = () => { conn.textContent = 'reconnecting…'; conn.classList.remove('live'); };
    src.addEventListener('registry', (msg) => {
      const e = JSON.parse(msg.data);
      const d = Object.entries(e.details).map(([k, v]) => k + '=' + v).join(' ');
      const item = h('li', { 'data-model': e.model, 'data-type': e.type }, h('strong', { text: e.model }), ' ' + e.type.replace(/_/g, ' ').toLowerCase()
        + (e.version ? ' v' + e.version : '') + (d ? ' (' + d + ')' : ''), h('div', { class: 'muted', text: e.actor + ', ' + when(e.time) }));
      $('#events').prepend(item);
      onChange(e);
    });
    src.addEventListener('switch', (msg) => {
      const s = JSON.parse(msg.data);
      state.switchLog = (state.switchLog || []).concat([s]).slice(-50);
      const list = $('#switches');
      if (list) list.prepend(switchItem(s));
      $('#events').prepend(h('li', { 'data-type': 'switch' }, h('strong', { text: 'pool' }), ' switched ' + s.uri + ' ' + s.from + ' → ' + s.to));
    });
    src.addEventListener('reset', () => render());
  }
  let refreshing = null;
  function onChange(e) {
    const r = state.route || {};
    const concerns = (r.page === 'model' || r.page === 'history' || r.page === 'compare') ? r.args[0] === e.model : r.page === 'catalog';
    if (!concerns || $('#confirm').open) return;
    clearTimeout(refreshing);
    refreshing = setTimeout(async () => {
      if (r.page === 'model') await modelPage(e.model, e.version).catch(() => {});
      else await render();
    }, 100);
  }

  // ------------------------------------------------------------------ start
  function tokenDialog() {
    const dlg = $('#token-dialog');
    $('#token-input').value = token();
    $('#token-save').onclick = () => { sessionStorage.setItem('modelreg.token', $('#token-input').value.trim()); dlg.close(); };
    $('#token-cancel').onclick = () => dlg.close();
    dlg.showModal();
  }
  async function start() {
    const m = /^#token=([^&]+)/.exec(location.hash);
    if (m) {
      sessionStorage.setItem('modelreg.token', decodeURIComponent(m[1]));
      history.replaceState(null, '', location.pathname + '#/');
    }
    $('#token-button').addEventListener('click', tokenDialog);
    state.server = (await api('GET', '/server')).data;
    if (state.server.readOnly) $('#token-button').hidden = true;
    window.addEventListener('hashchange', render);
    connectEvents();
    await render();
    document.body.dataset.ready = 'true';
  }
  start().catch((e) => show(h('h1', { text: 'The console could not start' }), failure(e)));
})();
