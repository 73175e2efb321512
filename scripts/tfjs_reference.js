#!/usr/bin/env node
// TF.js reference outputs (and TF.js latency benchmarks) for the human-models TF.js graph models.
//
// Reference mode (default): for each model, loads model.json + weight shards from disk (no
// tfjs-node needed), feeds seeded deterministic inputs, runs the model on the TF.js 'cpu' backend
// and writes <out>/<model>/{input_<i>.npy, output_<j>.npy, meta.json}. --backend auto (what the
// conformance test uses) runs each model on the 'wasm' backend (XNNPACK, float32 too, about ten
// times faster than 'cpu': 15 s instead of 150 s for the 41 models on CI's machine), except the
// models in CPU_REFERENCE_MODELS and any that wasm cannot run, which run on 'cpu'; meta.json
// names the backend of each.
//
// Bench mode (--bench N): times N runs of execute at batch 1 after warmup and prints/writes the
// median latency (ms). Writes <out>/<model>/bench.json and, with --json FILE, all results.
//
// Usage:
//   node scripts/tfjs_reference.js [--models a,b,c | --all] [--out DIR] [--models-dir DIR]
//                                  [--backend cpu|wasm|auto] [--bench N] [--warmup W] [--threads K]
//                                  [--seed S] [--json FILE] [--dump]
// --dump also writes every intermediate node output (port 0) to <out>/<model>/dump/ with
// dump.json (for bisecting mismatches against aamp node by node).
// Exit status: 0 when every requested model succeeded, 1 otherwise (each model is tried anyway).
'use strict';

const fs = require('fs');
const path = require('path');

const REPO = path.resolve(__dirname, '..');
const DEFAULT_MODELS = [
  'blazeface', 'emotion', 'gender', 'movenet-lightning', 'mobilefacenet', 'faceres', 'iris',
  'facemesh', 'handdetect', 'selfie', 'efficientpose', 'gear', 'liveness', 'antispoof', 'posenet',
  'meet',
];

// Models whose 'auto' reference comes from the 'cpu' backend: where wasm's float32 differs from
// cpu's by more than the conformance tolerance (measured with TF.js 4.22): handtrack (its NMS
// keeps 7 boxes on wasm, 100 on cpu and in aamp), blazepose-lite (5.5e-3 on a sigmoid head whose
// tolerance, 5e-3, was set against cpu; see tests/runtime/conformance_test.cc).
const CPU_REFERENCE_MODELS = new Set(['handtrack', 'blazepose-lite']);

// Per-model input overrides where the model's declared shapes are not runnable as-is
// (fully dynamic spatial dims, scalar recurrent states). Keyed by input node name.
const INPUT_OVERRIDES = {
  rvm: {
    'src': {shape: [1, 256, 256, 3]},
    'r1i': {shape: [], fill: 0},
    'r2i': {shape: [], fill: 0},
    'r3i': {shape: [], fill: 0},
    'r4i': {shape: [], fill: 0},
    'downsample_ratio': {shape: [], fill: 0.5},
  },
};

function parseArgs(argv) {
  const a = {
    models: null, all: false, out: null, modelsDir: null, backend: 'cpu', bench: 0, warmup: 3,
    threads: 0, seed: 1234, json: null, dump: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) throw new Error(`missing value for ${k}`);
      return argv[++i];
    };
    if (k === '--models') a.models = next().split(',').map((s) => s.trim()).filter(Boolean);
    else if (k === '--all') a.all = true;
    else if (k === '--out') a.out = next();
    else if (k === '--models-dir') a.modelsDir = next();
    else if (k === '--backend') a.backend = next();
    else if (k === '--bench') a.bench = parseInt(next(), 10);
    else if (k === '--warmup') a.warmup = parseInt(next(), 10);
    else if (k === '--threads') a.threads = parseInt(next(), 10);
    else if (k === '--seed') a.seed = parseInt(next(), 10);
    else if (k === '--json') a.json = next();
    else if (k === '--dump') a.dump = true;
    else if (k === '-h' || k === '--help') {
      console.log(fs.readFileSync(__filename, 'utf8').split('\n').slice(1, 15).join('\n'));
      process.exit(0);
    } else throw new Error(`unknown argument ${k}`);
  }
  if (!['cpu', 'wasm', 'auto'].includes(a.backend)) throw new Error(`unknown backend ${a.backend}`);
  if (a.backend === 'auto' && a.bench) throw new Error('--bench needs --backend cpu or wasm');
  a.modelsDir = a.modelsDir ||
      path.join(REPO, 'node_modules', '@vladmandic', 'human-models', 'models');
  if (!a.out) a.out = path.join(REPO, 'build', a.bench ? 'tfjs_bench' : 'tfjs_ref');
  return a;
}

// ---- deterministic PRNG (mulberry32), portable across JS engines ----
function mulberry32(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6D2B79F5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ---- minimal .npy (v1.0) writer ----
const NPY_DESCR = {
  float32: '<f4', int32: '<i4', uint8: '|u1', int8: '|i1', int64: '<i8', bool: '|b1',
  float64: '<f8', uint16: '<u2', int16: '<i2',
};
function npyBytes(dtype, shape, values) {
  const descr = NPY_DESCR[dtype];
  if (!descr) throw new Error(`npy: unsupported dtype ${dtype}`);
  const shapeStr = shape.length === 0 ? '()' :
      shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeStr}, }`;
  const pre = 10;  // magic(6) + version(2) + header_len(2)
  const total = Math.ceil((pre + header.length + 1) / 64) * 64;
  header = header + ' '.repeat(total - pre - header.length - 1) + '\n';
  const n = values.length;
  let body;
  switch (dtype) {
    case 'float32': body = Buffer.from(Float32Array.from(values).buffer); break;
    case 'float64': body = Buffer.from(Float64Array.from(values).buffer); break;
    case 'int32': body = Buffer.from(Int32Array.from(values).buffer); break;
    case 'int16': body = Buffer.from(Int16Array.from(values).buffer); break;
    case 'uint16': body = Buffer.from(Uint16Array.from(values).buffer); break;
    case 'uint8': body = Buffer.from(Uint8Array.from(values).buffer); break;
    case 'int8': body = Buffer.from(Int8Array.from(values).buffer); break;
    case 'bool': body = Buffer.from(Uint8Array.from(values, (v) => (v ? 1 : 0)).buffer); break;
    case 'int64': {
      const b = new BigInt64Array(n);
      for (let i = 0; i < n; i++) b[i] = BigInt(values[i]);
      body = Buffer.from(b.buffer);
      break;
    }
    default: throw new Error(`npy: unsupported dtype ${dtype}`);
  }
  if (new DataView(new Uint16Array([1]).buffer).getUint8(0) !== 1) {
    throw new Error('npy writer assumes a little-endian host');
  }
  const head = Buffer.alloc(pre);
  head.write('\x93NUMPY', 0, 'latin1');
  head[6] = 1;
  head[7] = 0;
  head.writeUInt16LE(header.length, 8);
  return Buffer.concat([head, Buffer.from(header, 'latin1'), body]);
}

// ---- TF.js loading without tfjs-node ----
function fileHandler(modelJsonPath) {
  return {
    load: async () => {
      const mj = JSON.parse(fs.readFileSync(modelJsonPath, 'utf8'));
      const dir = path.dirname(modelJsonPath);
      const weightSpecs = [];
      const buffers = [];
      for (const group of mj.weightsManifest || []) {
        for (const w of group.weights) weightSpecs.push(w);
        for (const p of group.paths) buffers.push(fs.readFileSync(path.join(dir, p)));
      }
      const all = Buffer.concat(buffers);
      const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength);
      return {
        modelTopology: mj.modelTopology,
        weightSpecs,
        weightData,
        format: mj.format,
        generatedBy: mj.generatedBy,
        convertedBy: mj.convertedBy,
        signature: mj.signature,
        userDefinedMetadata: mj.userDefinedMetadata,
        modelInitializer: mj.modelInitializer,
      };
    },
  };
}

const TF_DTYPE = {
  DT_FLOAT: 'float32', DT_INT32: 'int32', DT_UINT8: 'uint8', DT_INT8: 'int8', DT_INT64: 'int64',
  DT_BOOL: 'bool', DT_DOUBLE: 'float64', DT_INT16: 'int16', DT_UINT16: 'uint16',
  DT_HALF: 'float32',
};

function stripPort(n) {
  const m = /^(.*):(\d+)$/.exec(n);
  return m ? m[1] : n;
}
function portOf(n) {
  const m = /^(.*):(\d+)$/.exec(n);
  return m ? parseInt(m[2], 10) : 0;
}

// Input descriptions from model.json (GraphDef view): node name, TF dtype, shape.
function describeInputs(mj, modelName) {
  const sig = mj.signature && mj.signature.inputs ? mj.signature.inputs : null;
  const res = [];
  const overrides = INPUT_OVERRIDES[modelName] || {};
  const nodes = mj.modelTopology.node;
  if (sig && Object.keys(sig).length) {
    for (const [key, v] of Object.entries(sig)) {
      const node = stripPort(v.name);
      const dims = (v.tensorShape && v.tensorShape.dim) ? v.tensorShape.dim : [];
      res.push({
        name: node, tensor: `${node}:${portOf(v.name)}`, signature_key: key,
        tf_dtype: v.dtype, shape: dims.map((d) => parseInt(d.size, 10)),
      });
    }
  } else {
    for (const n of nodes) {
      if (n.op !== 'Placeholder') continue;
      const attr = n.attr || {};
      const dims = attr.shape && attr.shape.shape && attr.shape.shape.dim ?
          attr.shape.shape.dim : [];
      res.push({
        name: n.name, tensor: `${n.name}:0`, signature_key: n.name,
        tf_dtype: attr.dtype ? attr.dtype.type : 'DT_FLOAT',
        shape: dims.map((d) => parseInt(d.size, 10)),
      });
    }
  }
  for (const r of res) {
    r.shape = r.shape.map((d) => (Number.isFinite(d) && d > 0 ? d : 1));
    const o = overrides[r.name];
    if (o && o.shape) r.shape = o.shape;
    r.fill = o ? o.fill : undefined;
    r.dtype = TF_DTYPE[r.tf_dtype] || 'float32';
  }
  return res;
}

function makeInputValues(desc, seed, index) {
  const n = desc.shape.reduce((a, b) => a * b, 1);
  const rnd = mulberry32((seed + 0x9E3779B1 * (index + 1)) >>> 0);
  const vals = new Array(n);
  const isInt = ['int32', 'uint8', 'int8', 'int64', 'int16', 'uint16'].includes(desc.dtype);
  for (let i = 0; i < n; i++) {
    if (desc.fill !== undefined) vals[i] = desc.fill;
    else if (desc.dtype === 'bool') vals[i] = rnd() < 0.5;
    else if (isInt) vals[i] = Math.floor(rnd() * 256);  // image-like pixel values
    else vals[i] = rnd();
  }
  return vals;
}

function tfjsDtype(d) {
  if (d === 'float32' || d === 'float64' || d === 'float16') return 'float32';
  if (d === 'bool') return 'bool';
  return 'int32';
}

let tf = null;
let tfconv = null;
async function initTf(args) {
  tf = require('@tensorflow/tfjs-core');
  tfconv = require('@tensorflow/tfjs-converter');
  let threads = 1;
  if (args.backend === 'cpu' || args.backend === 'auto') require('@tensorflow/tfjs-backend-cpu');
  if (args.backend !== 'cpu') {
    const wasm = require('@tensorflow/tfjs-backend-wasm');
    const distDir = path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm')));
    wasm.setWasmPaths(distDir + path.sep);
    if (args.threads > 0 && wasm.setThreadsCount) wasm.setThreadsCount(args.threads);
    await tf.setBackend('wasm');
    await tf.ready();
    threads = wasm.getThreadsCount ? wasm.getThreadsCount() : 1;
    const mt = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
    const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
    if (!mt) threads = 1;
    console.log(`[tfjs] wasm backend: simd=${simd} multithread=${mt} threads=${threads}`);
    if (args.backend === 'wasm') return threads;
  }
  await tf.setBackend('cpu');
  await tf.ready();
  return threads;
}

async function runModel(model, feeds, outNames) {
  try {
    const r = model.execute(feeds, outNames);
    return Array.isArray(r) ? r : [r];
  } catch (e) {
    if (!/executeAsync|dynamic op|control flow/i.test(String(e.message))) throw e;
    const r = await model.executeAsync(feeds, outNames);
    return Array.isArray(r) ? r : [r];
  }
}

// Writes every non-Const node's output 0 (in model.json node order) to <dir>/dump/.
async function dumpIntermediates(model, mj, feeds, dir) {
  const skip = new Set(['Const', 'Placeholder', 'NoOp', 'PlaceholderWithDefault']);
  const names = mj.modelTopology.node.filter((n) => !skip.has(n.op)).map((n) => n.name);
  const ddir = path.join(dir, 'dump');
  fs.mkdirSync(ddir, {recursive: true});
  const list = [];
  let outs;
  try {
    outs = await runModel(model, feeds, names);
  } catch (e) {
    console.log(`[dump] fetching all nodes failed (${String(e.message).split('\n')[0]})`);
    return;
  }
  for (let k = 0; k < names.length; k++) {
    const o = outs[k];
    if (!o || o.dtype === 'string' || o.dtype === 'complex64') continue;
    const file = `node_${k}.npy`;
    fs.writeFileSync(path.join(ddir, file), npyBytes(o.dtype, o.shape, Array.from(await o.data())));
    const op = mj.modelTopology.node.find((n) => n.name === names[k]).op;
    list.push({name: names[k], op, dtype: o.dtype, shape: o.shape, file: `dump/${file}`});
  }
  tf.dispose(outs);
  fs.writeFileSync(path.join(ddir, 'dump.json'), JSON.stringify(list) + '\n');
}

async function processModel(name, args, threads) {
  const jsonPath = path.join(args.modelsDir, `${name}.json`);
  if (!fs.existsSync(jsonPath)) throw new Error(`no such model file ${jsonPath}`);
  const mj = JSON.parse(fs.readFileSync(jsonPath, 'utf8'));
  const t0 = Date.now();
  const model = await tfconv.loadGraphModel(fileHandler(jsonPath));
  const inputs = describeInputs(mj, name);
  const feeds = {};
  const values = [];
  inputs.forEach((d, i) => {
    const v = makeInputValues(d, args.seed, i);
    values.push(v);
    // TF.js accepts the GraphDef node name as feed key (it maps signature keys too).
    feeds[d.name] = tf.tensor(v, d.shape, tfjsDtype(d.dtype));
  });
  // Outputs in model.outputNodes order; GraphDef names from the executor's output nodes.
  const outNames = model.outputNodes;
  const sigOut = mj.signature && mj.signature.outputs ? mj.signature.outputs : {};
  const outDescs = outNames.map((on) => {
    const key = stripPort(on);
    let tensor;
    if (sigOut[on]) tensor = sigOut[on].name;
    else if (sigOut[key]) tensor = sigOut[key].name;
    else tensor = on;
    if (!/:\d+$/.test(tensor)) tensor += ':0';
    const node = stripPort(tensor);
    const port = portOf(tensor);
    return {name: port === 0 ? node : tensor, tensor, signature_key: on};
  });
  const tLoad = Date.now() - t0;
  const result = {model: name, backend: tf.getBackend(), load_ms: tLoad};

  if (args.bench > 0) {
    for (let i = 0; i < args.warmup; i++) {
      const outs = await runModel(model, feeds, outNames);
      for (const o of outs) await o.data();
      tf.dispose(outs);
    }
    const times = [];
    for (let i = 0; i < args.bench; i++) {
      const s = process.hrtime.bigint();
      const outs = await runModel(model, feeds, outNames);
      for (const o of outs) await o.data();  // include readback: forces completion
      times.push(Number(process.hrtime.bigint() - s) / 1e6);
      tf.dispose(outs);
    }
    times.sort((a, b) => a - b);
    const mid = times.length >> 1;
    result.median_ms = times.length % 2 ? times[mid] : (times[mid - 1] + times[mid]) / 2;
    result.min_ms = times[0];
    result.iters = args.bench;
    result.threads = threads;
    const dir = path.join(args.out, name);
    fs.mkdirSync(dir, {recursive: true});
    fs.writeFileSync(path.join(dir, 'bench.json'), JSON.stringify(result, null, 1) + '\n');
  } else {
    const t1 = Date.now();
    const outs = await runModel(model, feeds, outNames);
    result.run_ms = Date.now() - t1;
    const dir = path.join(args.out, name);
    fs.mkdirSync(dir, {recursive: true});
    const meta = {
      model: name, model_json: path.relative(REPO, jsonPath), backend: tf.getBackend(),
      tfjs_version: tf.version_core, seed: args.seed, inputs: [], outputs: [],
    };
    inputs.forEach((d, i) => {
      fs.writeFileSync(path.join(dir, `input_${i}.npy`), npyBytes(d.dtype, d.shape, values[i]));
      meta.inputs.push({
        name: d.name, tensor: d.tensor, signature_key: d.signature_key, dtype: d.dtype,
        shape: d.shape, file: `input_${i}.npy`,
      });
    });
    for (let j = 0; j < outs.length; j++) {
      const o = outs[j];
      const data = Array.from(await o.data());
      let maxAbs = 0;
      let finite = true;
      for (const x of data) {
        const a = Math.abs(Number(x));
        if (!Number.isFinite(a)) finite = false;
        else if (a > maxAbs) maxAbs = a;
      }
      fs.writeFileSync(path.join(dir, `output_${j}.npy`), npyBytes(o.dtype, o.shape, data));
      meta.outputs.push({
        ...outDescs[j], dtype: o.dtype, shape: o.shape, file: `output_${j}.npy`,
        max_abs: maxAbs, all_finite: finite,
      });
    }
    tf.dispose(outs);
    if (args.dump) await dumpIntermediates(model, mj, feeds, dir);
    fs.writeFileSync(path.join(dir, 'meta.json'), JSON.stringify(meta, null, 1) + '\n');
    result.outputs = meta.outputs.length;
  }
  tf.dispose(Object.values(feeds));
  model.dispose();
  return result;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  let models = args.models || DEFAULT_MODELS;
  if (args.all) {
    models = fs.readdirSync(args.modelsDir).filter((f) => f.endsWith('.json'))
        .map((f) => f.slice(0, -5)).sort();
  }
  const threads = await initTf(args);
  const results = [];
  for (const m of models) {
    try {
      let r;
      if (args.backend === 'auto') {
        await tf.setBackend(CPU_REFERENCE_MODELS.has(m) ? 'cpu' : 'wasm');
        try {
          r = await processModel(m, args, threads);
        } catch (e) {
          if (tf.getBackend() !== 'wasm') throw e;
          const why = String(e && e.message ? e.message : e).split('\n')[0];
          console.log(`[wasm] ${m}: ${why}; running it on the cpu backend`);
          await tf.setBackend('cpu');
          r = await processModel(m, args, threads);
        }
      } else {
        r = await processModel(m, args, threads);
      }
      r.ok = true;
      results.push(r);
      const extra = args.bench ? `median ${r.median_ms.toFixed(2)} ms (threads=${r.threads})` :
          `${r.outputs} outputs, run ${r.run_ms} ms on ${r.backend}`;
      console.log(`[ok]   ${m}: load ${r.load_ms} ms, ${extra}`);
    } catch (e) {
      const msg = String(e && e.message ? e.message : e).split('\n')[0];
      results.push({model: m, ok: false, error: msg});
      console.log(`[FAIL] ${m}: ${msg}`);
    }
  }
  const failed = results.filter((r) => !r.ok);
  console.log(`[summary] ${results.length - failed.length}/${results.length} models ok` +
      (failed.length ? `; failed: ${failed.map((r) => r.model).join(', ')}` : ''));
  if (args.json) {
    fs.mkdirSync(path.dirname(path.resolve(args.json)), {recursive: true});
    fs.writeFileSync(args.json, JSON.stringify({backend: args.backend, threads, results}, null, 1) +
        '\n');
  }
  process.exit(failed.length ? 1 : 0);
}

main().catch((e) => {
  console.error(`[tfjs_reference] fatal: ${e && e.stack ? e.stack : e}`);
  process.exit(2);
});
