// The HTML report's script, inlined and allowed by its hash in the Content-Security-Policy. It reads
// the report data from the `application/json` block and builds every element with createElement
// and textContent: no string from the data is ever parsed as HTML. Plain ES2019, no dependency.

export const HTML_CLIENT = String.raw`(function () {
'use strict';
var data = JSON.parse(document.getElementById('report-data').textContent);
var LEVELS = ['critical', 'high', 'medium', 'low', 'informational', 'none'];
var SVGNS = 'http://www.w3.org/2000/svg';
var findings = data.findings;
var state = { levels: {}, rule: '', host: '', text: '', open: {} };
LEVELS.forEach(function (l) { state.levels[l] = true; });

// Controls and bidirectional overrides from logs are shown as visible escapes, never interpreted.
var CONTROLS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/g;
function vis(s) {
  return String(s).replace(CONTROLS, function (c) {
    var n = c.charCodeAt(0);
    return n <= 0xff ? '\\x' + ('0' + n.toString(16)).slice(-2) : '\\u' + ('000' + n.toString(16)).slice(-4);
  });
}
function lv(l) { return LEVELS.indexOf(l) >= 0 ? l : 'none'; }
function el(tag, cls, text) {
  var e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined && text !== null) e.textContent = vis(text);
  return e;
}
function add(parent) { for (var i = 1; i < arguments.length; i++) if (arguments[i]) parent.appendChild(arguments[i]); return parent; }
function sv(tag, attrs) {
  var e = document.createElementNS(SVGNS, tag);
  for (var k in attrs) if (Object.prototype.hasOwnProperty.call(attrs, k)) e.setAttribute(k, String(attrs[k]));
  return e;
}
function fmtSec(iso) {
  if (!iso) return '—';
  var m = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d:\d\d)/.exec(iso);
  return m ? m[1] + ' ' + m[2] : iso;
}
function timeCell(iso) {
  // Date and time each kept whole, so a narrow column breaks between them only.
  var td = el('td', 'time'), parts = fmtSec(iso).split(' ');
  parts.forEach(function (p, i) { if (i > 0) td.appendChild(document.createTextNode(' ')); td.appendChild(el('span', null, p)); });
  return td;
}
function fmtTime(iso) {
  if (!iso) return '—';
  var m = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d:\d\d)(\.\d+)?Z?$/.exec(iso);
  return m ? m[1] + ' ' + m[2] + (m[3] ? m[3].slice(0, 4) : '') : iso;
}
function num(n) { return Number(n).toLocaleString('en-US'); }
function plural(n, one, many) { return num(n) + ' ' + (n === 1 ? one : (many || one + 's')); }
function safeUrl(u) { return typeof u === 'string' && /^https?:\/\/[^\s]+$/i.test(u) ? u : null; }
function fieldsOf(ev) { return ev && ev.fields ? ev.fields : {}; }
function val(v) { if (v === null || v === undefined) return ''; return Array.isArray(v) ? v.join(', ') : String(v); }

// Search text per finding, lower-cased once.
findings.forEach(function (f) {
  var parts = [f.rule.title, f.rule.id || '', f.host || '', f.headline || '', f.techniques.join(' '), f.kind, f.clsid || ''];
  f.events.forEach(function (ev) {
    var fl = fieldsOf(ev);
    Object.keys(fl).forEach(function (k) { parts.push(val(fl[k])); });
    parts.push(ev.source.path);
  });
  (f.treeChain || []).forEach(function (p) { parts.push(p.image || '', p.commandLine || ''); });
  f._hay = parts.join('\n').toLowerCase();
});

// Header and cards.
document.getElementById('meta').textContent = [
  data.generatedAt ? 'Generated ' + fmtTime(data.generatedAt) + ' UTC' : null,
  plural(data.summary.inputs, 'input'),
  plural(data.summary.events, 'event') + ' read',
  (data.summary.elapsedMs / 1000).toFixed(1) + ' s',
  data.tool.name + ' ' + data.tool.version
].filter(Boolean).join('  ·  ');

var counts = {};
LEVELS.forEach(function (l) { counts[l] = 0; });
findings.forEach(function (f) { counts[lv(f.level)]++; });
var cards = document.getElementById('cards');
['critical', 'high', 'medium', 'low', 'informational'].forEach(function (l) {
  var c = el('div', 'card lv-' + l + (counts[l] === 0 ? ' zero' : ''));
  add(c, el('div', 'n', num(counts[l])), el('div', 'l', l));
  cards.appendChild(c);
});
function statCard(n, label, sub) { var c = el('div', 'card'); add(c, el('div', 'n', n), el('div', 'l', label), sub ? el('div', 's', sub) : null); cards.appendChild(c); }
statCard(num(data.summary.events), 'events read', plural(data.summary.rejected, 'rejected', 'rejected'));
statCard(num(data.summary.inputs), 'inputs', num(data.summary.readable) + ' readable');
statCard(num(data.summary.rulesLoaded), 'rules loaded', num(data.summary.rulesSkippedCount) + ' skipped');
statCard(num(data.summary.readErrors), 'read errors', null);

// ATT&CK techniques.
(function () {
  var box = document.getElementById('techniques');
  var by = {};
  findings.forEach(function (f) { f.techniques.forEach(function (t) { by[t] = (by[t] || 0) + 1; }); });
  var ids = Object.keys(by).sort();
  if (ids.length === 0) { box.appendChild(el('div', 'note', 'No ATT&CK technique tags on these findings.')); return; }
  var chips = el('div', 'chips');
  ids.forEach(function (t) {
    var b = el('button', 'chip');
    b.type = 'button';
    b.title = 'Show the findings tagged ' + t;
    add(b, el('span', 'id', t), data.techniqueNames[t] ? el('span', 'nm', data.techniqueNames[t]) : null, el('span', 'ct', num(by[t])));
    b.addEventListener('click', function () { search.value = t; state.text = t.toLowerCase(); update(); document.getElementById('findings-panel').scrollIntoView(); });
    chips.appendChild(b);
  });
  box.appendChild(chips);
})();

// Filters.
var filters = document.getElementById('filters');
var lvButtons = {};
LEVELS.forEach(function (l) {
  if (counts[l] === 0) return;
  var b = el('button', 'lvbtn');
  b.type = 'button';
  b.setAttribute('aria-pressed', 'true');
  add(b, el('span', 'dot lv-' + l), document.createTextNode(l + ' ' + counts[l]));
  b.addEventListener('click', function () { state.levels[l] = !state.levels[l]; b.setAttribute('aria-pressed', String(state.levels[l])); update(); });
  lvButtons[l] = b;
  filters.appendChild(b);
});
function selectOf(label, values, key) {
  var s = el('select');
  s.setAttribute('aria-label', label);
  add(s, el('option', null, 'All ' + label + 's'));
  s.firstChild.value = '';
  values.forEach(function (v) { var o = el('option', null, v); o.value = v; s.appendChild(o); });
  s.addEventListener('change', function () { state[key] = s.value; update(); });
  return s;
}
function uniq(xs) { var seen = {}; return xs.filter(function (x) { if (x === '' || seen['$' + x]) return false; seen['$' + x] = 1; return true; }).sort(); }
var ruleSel = selectOf('rule', uniq(findings.map(function (f) { return f.rule.title; })), 'rule');
var hostSel = selectOf('host', uniq(findings.map(function (f) { return f.host || ''; })), 'host');
var search = el('input');
search.type = 'search';
search.placeholder = 'Search command lines, images, fields…';
search.setAttribute('aria-label', 'Search');
var searchWrap = add(el('div', 'grow'), search);
var timer = null;
search.addEventListener('input', function () { clearTimeout(timer); timer = setTimeout(function () { state.text = search.value.trim().toLowerCase(); update(); }, 120); });
var countEl = el('span', 'count');
var reset = el('button', 'plain', 'Reset');
reset.type = 'button';
reset.addEventListener('click', function () {
  LEVELS.forEach(function (l) { state.levels[l] = true; if (lvButtons[l]) lvButtons[l].setAttribute('aria-pressed', 'true'); });
  state.rule = ''; state.host = ''; state.text = ''; ruleSel.value = ''; hostSel.value = ''; search.value = ''; update();
});
add(filters, ruleSel, hostSel, searchWrap, countEl, reset);

function visible(f) {
  if (!state.levels[lv(f.level)]) return false;
  if (state.rule && f.rule.title !== state.rule) return false;
  if (state.host && (f.host || '') !== state.host) return false;
  if (state.text && f._hay.indexOf(state.text) < 0) return false;
  return true;
}

// Findings table.
var tbody = document.getElementById('rows');
function kindTag(f) { return f.kind === 'match' ? null : el('span', 'tag ' + f.kind, f.kind); }
function renderRows(list) {
  tbody.textContent = '';
  if (list.length === 0) {
    var tr = el('tr'), td = el('td', 'empty', findings.length === 0 ? 'No findings.' : 'No finding matches these filters.');
    td.colSpan = 6; add(tbody, add(tr, td));
    return;
  }
  list.forEach(function (f) {
    var tr = el('tr', 'row lv-' + lv(f.level));
    tr.id = 'f-' + f.id;
    tr.tabIndex = 0;
    tr.setAttribute('aria-expanded', state.open[f.id] ? 'true' : 'false');
    var rule = add(el('td'), el('span', 'rule-title', f.rule.title), kindTag(f));
    var what = el('td'); var w = el('span', 'what', f.headline || ''); w.title = vis(f.headline || ''); what.appendChild(w);
    var host = el('td', 'host', f.host || '—'); host.title = vis(f.host || '');
    add(tr, add(el('td'), el('span', 'badge lv-' + lv(f.level), lv(f.level))), timeCell(f.timestamp), host, rule, what, el('td', 'num', num(f.eventsTotal)));
    function toggle() { state.open[f.id] = !state.open[f.id]; renderRows(currentList); }
    tr.addEventListener('click', toggle);
    tr.addEventListener('keydown', function (e) { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); toggle(); } });
    tbody.appendChild(tr);
    if (state.open[f.id]) {
      tr.className += ' open';
      var dtr = el('tr', 'detail'), dtd = el('td');
      dtd.colSpan = 6;
      dtd.appendChild(detail(f));
      add(tbody, add(dtr, dtd));
    }
  });
}

function kvTable(rows) {
  var t = el('table', 'kv');
  rows.forEach(function (r) {
    if (r[1] === null || r[1] === undefined || r[1] === '') return;
    var tr = el('tr');
    var td = el('td', r[2] ? 'mono' : null);
    if (r[1] instanceof Node) td.appendChild(r[1]); else td.textContent = String(r[1]);
    add(t, add(tr, el('th', null, r[0]), td));
  });
  return t;
}

function processTree(f) {
  var box = el('div', 'box');
  box.appendChild(el('h3', null, f.kind === 'incident' ? 'Process chain' : 'Process'));
  var chain = f.treeChain;
  if (!chain || chain.length === 0) { box.appendChild(el('div', 'note', 'No process information in the evidence.')); return box; }
  var ul = el('ul', 'tree');
  chain.forEach(function (p, i) {
    var li = el('li', 'proc d' + Math.min(i, 7));
    var line = el('div');
    if (i > 0) line.appendChild(el('span', 'arrow', '└─'));
    line.appendChild(el('span', 'pname', p.name));
    if (p.integrity) line.appendChild(el('span', 'il ' + String(p.integrity).toLowerCase().replace(/[^a-z]/g, ''), p.integrity));
    if (p.role) line.appendChild(el('span', 'role', p.role));
    var meta = [];
    if (p.pid !== null && p.pid !== undefined) meta.push('pid ' + p.pid);
    if (p.user) meta.push(p.user);
    if (p.time) meta.push(fmtTime(p.time));
    if (meta.length) line.appendChild(el('span', 'pmeta', meta.join(' · ')));
    li.appendChild(line);
    if (p.commandLine) li.appendChild(el('div', 'cmd', p.commandLine));
    else if (p.image) li.appendChild(el('div', 'cmd', p.image));
    ul.appendChild(li);
  });
  box.appendChild(ul);
  if (f.clsid) { var n = el('div', 'note'); add(n, document.createTextNode('Elevated COM class: '), el('span', 'clsid', f.clsid)); box.appendChild(n); }
  return box;
}

function listBox(title, items) {
  if (!items || items.length === 0) return null;
  var box = el('div', 'box'), ul = el('ul', 'list');
  box.appendChild(el('h3', null, title));
  items.forEach(function (s) { ul.appendChild(el('li', null, s)); });
  box.appendChild(ul);
  return box;
}

function ruleBox(f) {
  var box = el('div', 'box');
  box.appendChild(el('h3', null, 'Rule'));
  var refs = null;
  if (f.rule.references && f.rule.references.length) {
    refs = el('div');
    f.rule.references.forEach(function (r) {
      var u = safeUrl(r), d = el('div');
      if (u) { var a = el('a', null, r); a.href = u; a.rel = 'noopener noreferrer'; a.target = '_blank'; d.appendChild(a); } else d.textContent = r;
      refs.appendChild(d);
    });
  }
  var members = null;
  if (f.members && f.members.length) {
    members = el('div');
    f.members.forEach(function (m) { var d = el('div'); add(d, el('span', 'badge lv-' + lv(m.level), lv(m.level)), document.createTextNode(' ' + m.title)); members.appendChild(d); });
  }
  box.appendChild(kvTable([
    ['Title', f.rule.title], ['Id', f.rule.id, true], ['Level', lv(f.level)],
    ['Techniques', f.techniques.map(function (t) { return data.techniqueNames[t] ? t + ' ' + data.techniqueNames[t] : t; }).join(', ')],
    ['Description', f.rule.description || ''], ['False positives', (f.rule.falsepositives || []).join('; ')],
    ['References', refs], ['Rules folded in', members],
    ['Group', f.group ? Object.keys(f.group).map(function (k) { return k + ' = ' + (f.group[k] === null ? '∅' : f.group[k]); }).join(', ') : '', true],
    ['Value', f.value !== undefined ? String(f.value) : '']
  ]));
  return box;
}

function factorsBox(f) {
  if (!f.factors || f.factors.length === 0) return null;
  var box = el('div', 'box'), t = el('table', 'factors');
  box.appendChild(el('h3', null, 'Risk factors'));
  f.factors.forEach(function (r) { add(t, add(el('tr'), el('td', 'w', '+' + r.weight), el('td', null, r.description), el('td', 'code', r.code))); });
  box.appendChild(t);
  return box;
}

var KEY_FIELDS = ['UtcTime', 'Image', 'CommandLine', 'ParentImage', 'ParentCommandLine', 'User', 'IntegrityLevel', 'ProcessId', 'ProcessGuid', 'ParentProcessGuid', 'TargetObject', 'Details', 'ImageLoaded', 'TargetFilename', 'OriginalFileName'];
function eventBox(ev, i, total, open) {
  var d = el('details', 'ev'), h = el('summary', 'evh'), fl = fieldsOf(ev);
  d.open = open;
  add(h, el('strong', null, 'Event ' + (i + 1) + ' of ' + total), ev.role ? el('span', 'role', ev.role) : null);
  if (fl.EventID !== undefined) h.appendChild(el('span', null, 'EventID ' + val(fl.EventID)));
  if (fl.Channel !== undefined) h.appendChild(el('span', null, val(fl.Channel)));
  if (fl.Image !== undefined) h.appendChild(el('span', 'img', val(fl.Image)));
  var s = ev.source, where = s.path + (s.recordId !== null ? ' #' + s.recordId : s.line !== null ? ':' + s.line : '');
  h.appendChild(el('span', 'src', where + ' (' + s.format + ', ' + s.shape + ')'));
  d.appendChild(h);
  var t = el('table', 'fields');
  var names = Object.keys(fl);
  var first = KEY_FIELDS.filter(function (k) { return names.indexOf(k) >= 0; });
  first.concat(names.filter(function (k) { return first.indexOf(k) < 0; })).forEach(function (k) {
    add(t, add(el('tr', first.indexOf(k) >= 0 ? 'key' : null), el('th', null, k), el('td', null, val(fl[k]))));
  });
  d.appendChild(t);
  return d;
}

function detail(f) {
  var wrap = el('div'), grid = el('div', 'dgrid'), left = el('div'), right = el('div');
  add(left, processTree(f));
  add(right, factorsBox(f));
  if (f.triage) add(right, listBox('Triage: next steps', f.triage.next), listBox('Tuning', f.triage.tuning));
  add(right, ruleBox(f));
  add(wrap, add(grid, left, right));
  var evs = el('div');
  evs.appendChild(el('h3', null, 'Evidence'));
  f.events.forEach(function (ev, i) { evs.appendChild(eventBox(ev, i, f.eventsTotal, f.events.length <= 2 || i === 0)); });
  if (f.eventsTotal > f.events.length) evs.appendChild(el('div', 'note', plural(f.eventsTotal - f.events.length, 'more event') + ' not shown here; the json output has them all.'));
  wrap.appendChild(evs);
  return wrap;
}

// Timeline: one lane per level present, a mark per finding (incidents span their chain), marks
// closer than a few pixels merged into one with a count.
function renderTimeline(list) {
  var box = document.getElementById('timeline');
  box.textContent = '';
  var timed = list.filter(function (f) { return f.t !== null; });
  var untimed = list.length - timed.length;
  if (timed.length === 0) { box.appendChild(el('div', 'note', list.length === 0 ? 'Nothing to show.' : 'None of these findings has a time.')); return; }
  var lanes = LEVELS.filter(function (l) { return timed.some(function (f) { return lv(f.level) === l; }); });
  var W = Math.max(560, box.clientWidth || 900), L = 118, R = 18, LH = 30, TOP = 6, AX = 26;
  var H = TOP + lanes.length * LH + AX;
  var t0 = Infinity, t1 = -Infinity;
  timed.forEach(function (f) { t0 = Math.min(t0, f.t); t1 = Math.max(t1, f.tEnd !== null ? f.tEnd : f.t); });
  if (t1 - t0 < 60000) { var mid = (t0 + t1) / 2; t0 = mid - 30000; t1 = mid + 30000; }
  var pad = (t1 - t0) * 0.03; t0 -= pad; t1 += pad;
  function x(t) { return L + (t - t0) / (t1 - t0) * (W - L - R); }
  var s = sv('svg', { viewBox: '0 0 ' + W + ' ' + H, width: W, height: H, role: 'img', 'aria-label': 'Timeline of ' + timed.length + ' findings' });
  lanes.forEach(function (l, i) {
    var y = TOP + i * LH;
    s.appendChild(sv('rect', { x: L, y: y + 3, width: W - L - R, height: LH - 6, rx: 5, class: 'lane' }));
    var tx = sv('text', { x: L - 12, y: y + LH / 2 + 4, 'text-anchor': 'end', class: 'lane-label' });
    tx.textContent = l;
    s.appendChild(tx);
  });
  var span = t1 - t0, steps = [1e3, 5e3, 15e3, 3e4, 6e4, 3e5, 9e5, 18e5, 36e5, 108e5, 216e5, 432e5, 864e5, 6048e5, 2592e6, 31536e6];
  var step = steps[steps.length - 1];
  for (var k = 0; k < steps.length; k++) if (span / steps[k] <= 8) { step = steps[k]; break; }
  var axisY = TOP + lanes.length * LH;
  for (var tt = Math.ceil(t0 / step) * step; tt <= t1; tt += step) {
    var xx = x(tt);
    s.appendChild(sv('line', { x1: xx, x2: xx, y1: TOP, y2: axisY + 4, class: 'grid' }));
    var iso = new Date(tt).toISOString();
    var label = step >= 864e5 ? iso.slice(0, 10) : (span > 864e5 ? iso.slice(5, 10) + ' ' : '') + iso.slice(11, step < 6e4 ? 19 : 16);
    var tl = sv('text', { x: xx, y: axisY + 18, 'text-anchor': 'middle', class: 'tick' });
    tl.textContent = label;
    s.appendChild(tl);
  }
  lanes.forEach(function (l, i) {
    var y = TOP + i * LH + LH / 2;
    var marks = timed.filter(function (f) { return lv(f.level) === l; }).sort(function (a, b) { return a.t - b.t; });
    // Incidents first, each its own span; then the other findings, merged when they touch.
    var groups = [];
    marks.forEach(function (f) { if (f.kind === 'incident') groups.push({ x0: x(f.t), x1: f.tEnd !== null ? x(f.tEnd) : x(f.t), items: [f] }); });
    var last = null;
    marks.forEach(function (f) {
      if (f.kind === 'incident') return;
      var x0 = x(f.t);
      if (last && x0 - last.x1 < 10) { last.items.push(f); last.x1 = Math.max(last.x1, x0); } else { last = { x0: x0, x1: x0, items: [f] }; groups.push(last); }
    });
    groups.forEach(function (g) {
      var n = g.items.length, r = n > 1 ? 8 : 6, m;
      var inc = g.items[0].kind === 'incident';
      if (inc) m = sv('rect', { x: g.x0 - 6, y: y - 9, width: Math.max(12, g.x1 - g.x0 + 12), height: 18, rx: 4, class: 'mark inc m-' + l });
      else if (g.x1 - g.x0 > 4) m = sv('rect', { x: g.x0 - r, y: y - r, width: g.x1 - g.x0 + 2 * r, height: 2 * r, rx: r, class: 'mark m-' + l });
      else m = sv('circle', { cx: g.x0, cy: y, r: r, class: 'mark m-' + l });
      var title = sv('title', {});
      title.textContent = vis(g.items.slice(0, 8).map(function (f) { return fmtTime(f.timestamp) + '  ' + f.rule.title + (f.host ? '  (' + f.host + ')' : ''); }).join('\n')) + (n > 8 ? '\n… ' + (n - 8) + ' more' : '');
      m.appendChild(title);
      m.addEventListener('click', function () { openFinding(g.items[0].id); });
      s.appendChild(m);
      if (inc) m.setAttribute('fill-opacity', '0.35');
      if (n > 1) { var c = sv('text', { x: (g.x0 + g.x1) / 2, y: y + 3.5, 'text-anchor': 'middle', class: 'cnt' }); c.textContent = n > 99 ? '99+' : String(n); s.appendChild(c); }
    });
  });
  box.appendChild(s);
  box.appendChild(el('div', 'note', 'Dots are findings (a number: several close together); outlined bars are incidents, from their first to their last process. Click one to open it.'));
  if (untimed > 0) box.appendChild(el('div', 'note', plural(untimed, 'finding') + ' without a time are not on the timeline.'));
}

function openFinding(id) {
  state.open[id] = true;
  renderRows(currentList);
  var row = document.getElementById('f-' + id);
  if (row) { row.scrollIntoView({ block: 'start' }); row.focus(); }
}

// Inputs and skipped rules.
(function () {
  var box = document.getElementById('inputs');
  var src = data.summary.sources;
  var d1 = el('details', 'more'); add(d1, el('summary', null, 'Inputs (' + num(data.summary.inputs) + ')'));
  var t = el('table', 'plain');
  add(t, add(el('tr'), el('th', null, 'Path'), el('th', null, 'Format'), el('th', null, 'Records'), el('th', null, 'Rejected'), el('th', null, 'Errors'), el('th', null, 'Bytes')));
  src.forEach(function (x) { add(t, add(el('tr'), el('td', 'mono', x.path), el('td', null, (x.format || '?') + (x.shape ? ' / ' + x.shape : '')), el('td', 'num', num(x.records)), el('td', 'num', num(x.rejected)), el('td', 'num', num(x.errors)), el('td', 'num', num(x.bytes)))); });
  d1.appendChild(t);
  if (data.summary.sourcesCut > 0) d1.appendChild(el('div', 'note', plural(data.summary.sourcesCut, 'more input') + ' not listed.'));
  box.appendChild(d1);
  var sk = data.summary.rulesSkipped;
  if (sk.length > 0) {
    var d2 = el('details', 'more'); add(d2, el('summary', null, 'Skipped rules (' + num(data.summary.rulesSkippedCount) + ')'));
    var t2 = el('table', 'plain');
    add(t2, add(el('tr'), el('th', null, 'Rule file'), el('th', null, 'Title'), el('th', null, 'Reason')));
    sk.forEach(function (x) { add(t2, add(el('tr'), el('td', 'mono', x.file), el('td', null, x.title || ''), el('td', null, x.reason))); });
    d2.appendChild(t2);
    if (data.summary.rulesSkippedCount > sk.length) d2.appendChild(el('div', 'note', plural(data.summary.rulesSkippedCount - sk.length, 'more skipped rule') + ' not listed.'));
    box.appendChild(d2);
  }
})();

if (data.findingsCut > 0) document.getElementById('cut').textContent = 'This report shows the ' + num(findings.length) + ' most severe of ' + num(data.findingsTotal) + ' findings; the json output has them all.';

var currentList = findings;
function update() {
  currentList = findings.filter(visible);
  countEl.textContent = currentList.length === findings.length ? plural(findings.length, 'finding') : num(currentList.length) + ' of ' + plural(findings.length, 'finding');
  renderRows(currentList);
  renderTimeline(currentList);
}
var rt = null;
window.addEventListener('resize', function () { clearTimeout(rt); rt = setTimeout(function () { renderTimeline(currentList); }, 150); });
update();
document.body.setAttribute('data-ready', 'true');
})();
`;
