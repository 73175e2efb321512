// aamp conversion report: draws the graph data of #aamp-data (laid out by report_layout.cc) as
// SVG, with pan/zoom, search, a details panel per node and island highlighting. Plain browser
// JavaScript, no libraries; embedded into the page by CMake (report_assets/embed.cmake).
(function () {
  'use strict';
  const D = JSON.parse(document.getElementById('aamp-data').textContent);
  const NS = 'http://www.w3.org/2000/svg';
  const H = 28;  // node box height (report_layout.h's node_height)
  const svg = document.getElementById('svg');
  const details = document.getElementById('details');
  const nodes = D.nodes;
  const byName = new Map(nodes.map((n, i) => [n.n, i]));
  const outs = nodes.map(() => []);
  const ins = nodes.map(() => []);
  D.edges.forEach((e, k) => { outs[e[0]].push(k); ins[e[1]].push(k); });

  const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({
    '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'
  }[c]));
  const fmtBytes = (b) => b >= 1e6 ? (b / 1e6).toFixed(2) + ' MB' :
    b >= 1e3 ? (b / 1e3).toFixed(1) + ' kB' : b + ' B';

  // ---- drawing ----
  const view = document.createElementNS(NS, 'g');
  view.setAttribute('id', 'view');
  svg.appendChild(view);
  function edgePath(e) {
    const a = nodes[e[0]], b = nodes[e[1]], p = e[3];
    if (e[2] & 2) {  // back edge of a loop: around the right side, upwards
      const x = Math.max(a.x + a.w / 2, b.x + b.w / 2) + 30;
      return 'M' + (a.x + a.w / 2) + ' ' + a.y + 'C' + x + ' ' + a.y + ' ' + x + ' ' + b.y + ' ' +
        (b.x + b.w / 2) + ' ' + b.y;
    }
    let d = 'M' + a.x + ' ' + (a.y + H / 2);
    let px = a.x, py = a.y + H / 2;
    const pts = [];
    for (let i = 0; i < p.length; i += 2) pts.push([p[i], p[i + 1]]);
    pts.push([b.x, b.y - H / 2]);
    for (const [x, y] of pts) {  // vertical cubic segments
      const my = (py + y) / 2;
      d += 'C' + px + ' ' + my + ' ' + x + ' ' + my + ' ' + x + ' ' + y;
      px = x; py = y;
    }
    return d;
  }
  let eh = '';
  D.edges.forEach((e, k) => {
    const cls = 'edge' + (e[2] & 1 ? ' ctrl' : '') + (e[2] & 2 ? ' back' : '');
    eh += '<path class="' + cls + '" data-e="' + k + '" d="' + edgePath(e) + '"/>';
  });
  let nh = '';
  nodes.forEach((n, i) => {
    const cls = 'node p-' + n.p + (n.c ? ' cast' : '') + (n.c === 2 ? ' inserted' : '') +
      (n.s || n.f ? ' fused' : '');
    const x = n.x - n.w / 2, y = n.y - H / 2;
    nh += '<g class="' + cls + '" data-i="' + i + '" data-dtype="' + n.p + '" transform="translate(' +
      x + ',' + y + ')"><rect width="' + n.w + '" height="' + H + '" rx="5"/>';
    if (n.s) {
      nh += '<text x="' + n.w / 2 + '" y="12">' + esc(n.o) + '</text><text class="sub" x="' +
        n.w / 2 + '" y="23">' + esc(n.s) + '</text>';
    } else {
      nh += '<text x="' + n.w / 2 + '" y="18">' + esc(n.o) + '</text>';
    }
    nh += '<title>' + esc(n.n) + '</title></g>';
  });
  view.innerHTML = '<g id="edges">' + eh + '</g><g id="nodes">' + nh + '</g>';
  const nodeEls = Array.from(view.querySelectorAll('#nodes > g'));
  const edgeEls = Array.from(view.querySelectorAll('#edges > path'));

  // ---- pan / zoom ----
  const st = { s: 1, tx: 0, ty: 0 };
  const apply = () => view.setAttribute('transform',
    'translate(' + st.tx + ',' + st.ty + ') scale(' + st.s + ')');
  function fitBox(x0, y0, x1, y1, maxScale) {
    const r = svg.getBoundingClientRect();
    const w = Math.max(1, x1 - x0), h = Math.max(1, y1 - y0);
    st.s = Math.min(r.width / (w + 40), r.height / (h + 40), maxScale || 2);
    st.tx = r.width / 2 - st.s * (x0 + x1) / 2;
    st.ty = r.height / 2 - st.s * (y0 + y1) / 2;
    apply();
  }
  function initialView() {
    const r = svg.getBoundingClientRect();
    const s = Math.min(r.width / (D.width + 40), 1.2);
    if (s * D.height < r.height || s >= 0.35) {
      st.s = Math.max(s, Math.min(0.35, r.height / (D.height + 40)));
      st.tx = (r.width - st.s * D.width) / 2;
      st.ty = 10;
      if (st.s * D.height < r.height) st.ty = (r.height - st.s * D.height) / 2;
      apply();
    } else {  // wide graph: the top, readable
      st.s = 0.35;
      st.tx = 10;
      st.ty = 10;
      apply();
    }
  }
  function centerOn(i) {
    const r = svg.getBoundingClientRect();
    st.s = Math.max(st.s, 0.8);
    st.tx = r.width / 2 - st.s * nodes[i].x;
    st.ty = r.height / 2 - st.s * nodes[i].y;
    apply();
  }
  let drag = null;
  svg.addEventListener('mousedown', (ev) => {
    drag = { x: ev.clientX, y: ev.clientY, tx: st.tx, ty: st.ty, moved: false };
  });
  window.addEventListener('mousemove', (ev) => {
    if (!drag) return;
    const dx = ev.clientX - drag.x, dy = ev.clientY - drag.y;
    if (Math.abs(dx) + Math.abs(dy) > 3) drag.moved = true;
    st.tx = drag.tx + dx;
    st.ty = drag.ty + dy;
    apply();
  });
  window.addEventListener('mouseup', () => { setTimeout(() => { drag = null; }, 0); });
  svg.addEventListener('wheel', (ev) => {
    ev.preventDefault();
    const r = svg.getBoundingClientRect();
    const mx = ev.clientX - r.left, my = ev.clientY - r.top;
    const f = Math.exp(-ev.deltaY * (ev.deltaMode === 1 ? 0.05 : 0.0015));
    const s = Math.min(8, Math.max(0.01, st.s * f));
    st.tx = mx - (mx - st.tx) * s / st.s;
    st.ty = my - (my - st.ty) * s / st.s;
    st.s = s;
    apply();
  }, { passive: false });
  document.getElementById('fit').addEventListener('click', () => fitBox(0, 0, D.width, D.height));

  // ---- selection and details ----
  let selected = -1;
  const link = (name) => byName.has(name) ?
    '<a class="nl" href="#" data-node="' + esc(name) + '">' + esc(name) + '</a>' : esc(name);
  function ruleText(n) {
    if (n.r) {
      const key = n.r.split(/ (from|with) /)[0];
      const m = (D.rules || {})[key];
      return esc(n.r) + (m ? ' <span class="muted">(' + esc(m) + ')</span>' : '');
    }
    if (n.c === 2) return 'Cast inserted by AMP <span class="muted">(not in the decision log)</span>';
    return '<span class="muted">not in the decision log (node created after AMP painted the ' +
      'graph, e.g. by the remapper)</span>';
  }
  function select(i, center) {
    if (selected >= 0) nodeEls[selected].classList.remove('sel');
    edgeEls.forEach((e) => e.classList.remove('hl'));
    selected = i;
    if (i < 0) return;
    const n = nodes[i];
    nodeEls[i].classList.add('sel');
    ins[i].concat(outs[i]).forEach((k) => edgeEls[k].classList.add('hl'));
    let h = '<h2>' + esc(n.n) + '</h2><table class="kv">';
    h += '<tr><th>op</th><td>' + esc(n.o) + '</td></tr>';
    h += '<tr><th>precision</th><td><span class="sw p-' + n.p + '"></span>' + esc(n.p) +
      (n.c ? ' (Cast' + (n.c === 2 ? ', inserted by AMP' : '') + ')' : '') + '</td></tr>';
    h += '<tr><th>rule</th><td id="detail-rule">' + ruleText(n) + '</td></tr>';
    if (n.d) h += '<tr><th>device</th><td>' + esc(n.d) + '</td></tr>';
    if (n.i !== undefined) {
      h += '<tr><th>island</th><td><a class="il" href="#" data-island="' + n.i + '">island ' +
        (n.i + 1) + '</a></td></tr>';
    }
    const ne = (D.node_error || {})[n.n];
    if (ne) {
      h += '<tr><th>error</th><td>own ' + ne[1].toExponential(2) + ', alone ' +
        ne[0].toExponential(2) + (ne[2] > 1 ? ' (group of ' + ne[2] + ')' : '') + '</td></tr>';
    }
    if (D.along && D.along[n.n] !== undefined) {
      h += '<tr><th>output error</th><td>' + D.along[n.n].toExponential(2) +
        ' <span class="muted">(vs float32)</span></td></tr>';
    }
    h += '</table>';
    if (n.t.length) {
      h += '<h3>dtypes</h3><table class="kv">' + n.t.map((t) => '<tr><th>' + esc(t[0]) +
        '</th><td>' + esc(t[1]) + '</td></tr>').join('') + '</table>';
    }
    if (n.s || n.f) {
      h += '<h3>fused</h3>';
      if (n.s) h += '<p>fused_ops: ' + esc(n.s) + '</p>';
      if (n.f) h += '<ul>' + n.f.map((f) => '<li>' + esc(f) + '</li>').join('') + '</ul>';
    }
    h += '<h3>inputs</h3><ul>' + (n.in.length ? n.in.map((s) => {
      const ctrl = s[0] === '^';
      const base = (ctrl ? s.slice(1) : s).split(':')[0];
      return '<li>' + (ctrl ? '^' : '') + link(base) + (s.includes(':') ? esc(s.slice(s.indexOf(':'))) : '') +
        (byName.has(base) ? ' <span class="muted">' + esc(nodes[byName.get(base)].o) + '</span>' : '') + '</li>';
    }).join('') : '<li class="muted">none</li>') + '</ul>';
    if (n.k) {
      h += '<h3>weights (Const inputs)</h3><ul>' + n.k.map((k) => '<li>' + esc(k[0]) + ' ' +
        esc(k[1]) + ' ' + esc(k[2]) + ' <span class="muted">' + fmtBytes(k[3]) + '</span></li>').join('') + '</ul>';
    }
    const cons = outs[i].map((k) => D.edges[k][1]);
    h += '<h3>outputs</h3><ul>' + (cons.length ? cons.map((j) => '<li>' + link(nodes[j].n) +
      ' <span class="muted">' + esc(nodes[j].o) + '</span></li>').join('') :
      '<li class="muted">none (a graph output)</li>') + '</ul>';
    details.innerHTML = h;
    if (center) centerOn(i);
  }
  view.addEventListener('click', (ev) => {
    if (drag && drag.moved) return;
    const g = ev.target.closest('#nodes > g');
    if (g) select(Number(g.dataset.i), false);
  });
  document.addEventListener('click', (ev) => {
    const a = ev.target.closest('a.nl, a.il');
    if (!a) return;
    ev.preventDefault();
    if (a.classList.contains('nl') && byName.has(a.dataset.node)) {
      select(byName.get(a.dataset.node), true);
    } else if (a.classList.contains('il')) {
      showIsland(Number(a.dataset.island));
    }
  });
  function showIsland(k) {
    const isl = D.islands[k];
    if (!isl) return;
    clearMarks();
    const all = isl.m.concat(isl.ci, isl.co);
    let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    for (const i of all) {
      nodeEls[i].classList.add('hit');
      x0 = Math.min(x0, nodes[i].x - nodes[i].w / 2); x1 = Math.max(x1, nodes[i].x + nodes[i].w / 2);
      y0 = Math.min(y0, nodes[i].y - H / 2); y1 = Math.max(y1, nodes[i].y + H / 2);
    }
    svg.classList.add('dim');
    fitBox(x0, y0, x1, y1, 1.5);
  }

  // ---- search ----
  const search = document.getElementById('search');
  const count = document.getElementById('search-count');
  let hits = [], hitPos = -1;
  function clearMarks() {
    nodeEls.forEach((e) => e.classList.remove('hit'));
    svg.classList.remove('dim');
  }
  search.addEventListener('input', () => {
    const q = search.value.trim().toLowerCase();
    clearMarks();
    hits = [];
    hitPos = -1;
    if (!q) { count.textContent = ''; return; }
    nodes.forEach((n, i) => {
      if (n.n.toLowerCase().includes(q) || n.o.toLowerCase().includes(q)) hits.push(i);
    });
    hits.forEach((i) => nodeEls[i].classList.add('hit'));
    svg.classList.add('dim');
    count.textContent = hits.length + ' match' + (hits.length === 1 ? '' : 'es');
  });
  search.addEventListener('keydown', (ev) => {
    if (ev.key !== 'Enter' || !hits.length) return;
    hitPos = (hitPos + 1) % hits.length;
    select(hits[hitPos], true);
    count.textContent = (hitPos + 1) + ' / ' + hits.length;
  });
  document.addEventListener('keydown', (ev) => {
    if (ev.key === 'Escape') { search.value = ''; search.dispatchEvent(new Event('input')); }
  });

  // ---- colouring by per-node error ----
  const colour = document.getElementById('colour');
  colour.addEventListener('change', () => {
    const byErr = colour.value !== 'prec';
    svg.classList.toggle('by-error', byErr);
    const ne = D.node_error || {}, along = D.along || {};
    const value = (name) => colour.value === 'along' ? along[name] :
      (ne[name] ? ne[name][1] : undefined);
    let max = 0;
    nodes.forEach((n) => { const v = value(n.n); if (v !== undefined) max = Math.max(max, v); });
    nodes.forEach((n, i) => {
      const rect = nodeEls[i].firstChild;
      const e = value(n.n);
      if (!byErr) { rect.style.fill = ''; return; }
      if (e === undefined || max <= 0) { rect.style.fill = '#e5e7eb'; return; }
      const t = Math.max(0, Math.min(1, 1 + Math.log10(Math.max(e, 1e-12) / max) / 3));
      rect.style.fill = 'hsl(' + Math.round(60 - 60 * t) + ',90%,' + Math.round(85 - 35 * t) + '%)';
    });
  });

  initialView();
  window.addEventListener('resize', initialView);
  requestAnimationFrame(() => {
    window.aampReport = {
      renderMs: performance.now(), nodes: nodes.length, casts: nodes.filter((n) => n.c).length,
      select: (name) => select(byName.has(name) ? byName.get(name) : -1, true)
    };
    document.body.dataset.ready = '1';
  });
})();
