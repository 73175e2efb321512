"""The TensorFlow half of the AMP parity test (test_amp_parity.py). Run with an interpreter that
has TensorFlow; it never imports aamp, so the two never share a process.

  tf_side.py dump OUT [--frozen NAME=GRAPH.pb ...]
      builds the Keras graphs (seed MLP train step, CNN+BatchNorm train step, transformer encoder
      inference) and runs each frozen float32 GraphDef, with TensorFlow's oneDNN bfloat16 AMP on,
      the remapper off and TF_AUTO_MIXED_PRECISION_GRAPH_REWRITE_LOG_PATH=OUT/<case>; writes
      OUT/manifest.json: case -> {"pre": graphdef_preop_*.pb,
      "post": graphdef_AutoMixedPrecision_*.pb} (or {"error": ...})
  tf_side.py compare PRE TF_POST AAMP_POST
      prints the node-by-node comparison as JSON (see compare()).
  tf_side.py compare-all JOBS.json RESULTS.json
      compare() for several cases and aamp variants, evaluate() where asked, in one process.
  tf_side.py evaluate PRE NAME=POST ...
      output error of each rewritten graph against the float32 pre-pass graph (see evaluate()).

TensorFlow names its files graphdef_preop_<function>_<ms>.pb(.txt),
graphdef_AutoMixedPrecision_<function>_<ms>.pb(.txt) and
paintbuckets_AutoMixedPrecision_<function>_<ms>.txt; functions it finds no allowlisted op in get
only the preop file.
"""

import glob
import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "1")


def _tf():
    import tensorflow as tf

    tf.config.optimizer.set_experimental_options(
        {"auto_mixed_precision_onednn_bfloat16": True, "remapping": False})
    return tf


def _train_step(tf, model, opt, x, y):
    lossf = tf.keras.losses.SparseCategoricalCrossentropy()

    @tf.function
    def train_step(x, y):
        with tf.GradientTape() as tape:
            loss = lossf(y, model(x, training=True))
        grads = tape.gradient(loss, model.trainable_variables)
        opt.apply_gradients(zip(grads, model.trainable_variables))
        return loss

    train_step(x, y)


def seed_mlp(tf, np):
    """The seed example's model (784-64-64-10, float32 softmax, RMSprop), one train step."""
    layers = tf.keras.layers
    inp = tf.keras.Input((784,), name="digits")
    x = layers.Dense(64, activation="relu", name="dense_1")(inp)
    x = layers.Dense(64, activation="relu", name="dense_2")(x)
    x = layers.Dense(10, name="dense_logits")(x)
    out = layers.Activation("softmax", dtype="float32", name="predictions")(x)
    rng = np.random.default_rng(0)
    _train_step(tf, tf.keras.Model(inp, out), tf.keras.optimizers.RMSprop(),
                rng.random((64, 784), np.float32), rng.integers(0, 10, 64))


def cnn_bn(tf, np):
    """Conv2D + BatchNormalization + ReLU twice, pooling, dense head; one SGD-momentum step."""
    layers = tf.keras.layers
    inp = tf.keras.Input((16, 16, 3))
    x = inp
    for i, f in enumerate((8, 16)):
        x = layers.Conv2D(f, 3, padding="same", use_bias=False, name=f"conv{i}")(x)
        x = layers.BatchNormalization(name=f"bn{i}")(x)
        x = layers.ReLU()(x)
        x = layers.MaxPooling2D()(x)
    x = layers.GlobalAveragePooling2D()(x)
    x = layers.Dense(10, name="logits")(x)
    out = layers.Activation("softmax", dtype="float32")(x)
    rng = np.random.default_rng(1)
    _train_step(tf, tf.keras.Model(inp, out), tf.keras.optimizers.SGD(0.01, momentum=0.9),
                rng.random((8, 16, 16, 3), np.float32), rng.integers(0, 10, 8))


def encoder(tf, np):
    """A 2-layer BERT-like encoder (token + position embeddings, multi-head attention with a
    padding mask, GELU feed-forward, post-LayerNorm), inference."""
    layers = tf.keras.layers
    seq, vocab, d, heads = 16, 100, 32, 2
    tokens = tf.keras.Input((seq,), dtype="int32", name="tokens")
    mask = tf.keras.Input((seq,), dtype="float32", name="mask")
    x = layers.Embedding(vocab, d, name="tok_emb")(tokens)
    pos = layers.Embedding(seq, d, name="pos_emb")(tf.range(seq)[None, :])
    x = layers.LayerNormalization(epsilon=1e-12, name="emb_ln")(x + pos)
    att_mask = layers.Lambda(lambda m: m[:, None, :] * tf.ones_like(m)[:, :, None])(mask)
    for i in range(2):
        a = layers.MultiHeadAttention(heads, d // heads, name=f"att{i}")(x, x,
                                                                         attention_mask=att_mask)
        x = layers.LayerNormalization(epsilon=1e-12, name=f"ln{i}a")(x + a)
        f = layers.Dense(4 * d, activation="gelu", name=f"ffn{i}_in")(x)
        f = layers.Dense(d, name=f"ffn{i}_out")(f)
        x = layers.LayerNormalization(epsilon=1e-12, name=f"ln{i}b")(x + f)
    pooled = layers.Dense(d, activation="tanh", name="pooler")(x[:, 0])
    model = tf.keras.Model([tokens, mask], pooled)
    rng = np.random.default_rng(2)
    t = rng.integers(0, vocab, (2, seq)).astype(np.int32)
    m = np.ones((2, seq), np.float32)
    m[1, 10:] = 0

    @tf.function
    def encoder_infer(t, m):
        return model([t, m], training=False)

    # Frozen (variables -> Consts) as a BERT served for inference is, then run like the others.
    from tensorflow.python.framework.convert_to_constants import (
        convert_variables_to_constants_v2)

    cf = encoder_infer.get_concrete_function(tf.TensorSpec(t.shape, tf.int32),
                                             tf.TensorSpec(m.shape, tf.float32))
    run_graphdef(tf, np, convert_variables_to_constants_v2(cf).graph.as_graph_def())


_ACTIVATIONS = {"Relu", "Relu6", "Elu", "Sigmoid", "Tanh", "LeakyRelu"}


def defuse(gd):
    """TF.js's fused convolutions (_FusedConv2D, FusedDepthwiseConv2dNative, _FusedMatMul with
    fused_ops [BiasAdd(, activation)]) -> the plain op, BiasAdd and the activation, so both AMPs
    see the ops TensorFlow's own lists name. Returns False when a fused op has other fusions."""
    from tensorflow.core.framework import graph_pb2

    plain = {"_FusedConv2D": "Conv2D", "FusedDepthwiseConv2dNative": "DepthwiseConv2dNative",
             "_FusedMatMul": "MatMul"}
    out = graph_pb2.GraphDef()
    out.versions.CopyFrom(gd.versions)
    out.library.CopyFrom(gd.library)
    for n in gd.node:
        if n.op not in plain:
            out.node.add().CopyFrom(n)
            continue
        ops = [o.decode() for o in n.attr["fused_ops"].list.s]
        if not ops or ops[0] != "BiasAdd" or len(ops) > 2 or any(
                o not in _ACTIVATIONS for o in ops[1:]):
            return False
        data = [i for i in n.input if not i.startswith("^")]
        ctrl = [i for i in n.input if i.startswith("^")]
        name = n.name
        c = out.node.add()
        c.name, c.op, c.device = name + "/defused", plain[n.op], n.device
        c.input.extend(data[:2] + ctrl)
        for k, v in n.attr.items():
            if k not in ("fused_ops", "num_args", "epsilon", "leakyrelu_alpha", "num_host_args",
                         "TArgs"):
                c.attr[k].CopyFrom(v)
        b = out.node.add()
        b.name = name + "/defused_bias" if len(ops) == 2 else name
        b.op, b.device = "BiasAdd", n.device
        b.input.extend([c.name, data[2]])
        b.attr["T"].CopyFrom(n.attr["T"])
        if "data_format" in n.attr:
            b.attr["data_format"].CopyFrom(n.attr["data_format"])
        if len(ops) == 2:
            a = out.node.add()
            a.name, a.op, a.device = name, ops[1], n.device
            a.input.append(b.name)
            a.attr["T"].CopyFrom(n.attr["T"])
            if ops[1] == "LeakyRelu":
                a.attr["alpha"].f = n.attr["leakyrelu_alpha"].f
    return out


def frozen(tf, np, path):
    """Runs a frozen float32 GraphDef (TF.js fusions undone) once on random inputs."""
    from tensorflow.core.framework import graph_pb2

    gd = graph_pb2.GraphDef()
    with open(path, "rb") as f:
        gd.ParseFromString(f.read())
    gd = defuse(gd)
    if gd is False:
        raise RuntimeError(f"{path}: fused op with fusions other than BiasAdd+activation")
    run_graphdef(tf, np, gd)


def run_graphdef(tf, np, gd):
    """Imports a frozen GraphDef into a function and calls it once on seeded random inputs
    (integers in [0, 2): valid token, segment and mask ids; floats in [0, 1)); the call is
    what makes grappler optimize it."""
    phs = [n for n in gd.node if n.op == "Placeholder"]
    consumed = {i.split(":")[0].lstrip("^") for n in gd.node for i in n.input}
    outs = [n.name + ":0" for n in gd.node if n.name not in consumed and n.op not in ("Const",
                                                                                     "NoOp")]
    rng = np.random.default_rng(3)

    def imported():
        tf.graph_util.import_graph_def(gd, name="")

    fn = tf.compat.v1.wrap_function(imported, [])
    g = fn.graph
    feeds = [g.get_tensor_by_name(p.name + ":0") for p in phs]
    pruned = fn.prune(feeds, [g.get_tensor_by_name(o) for o in outs])
    args = []
    for t in feeds:
        shape = [1 if d is None or d < 0 else d for d in t.shape.as_list()]
        dt = t.dtype.as_numpy_dtype
        args.append(tf.constant(rng.integers(0, 2, shape).astype(dt) if t.dtype.is_integer
                                else rng.random(shape).astype(dt)))
    pruned(*args)


def pick(case_dir):
    """The (pre, post) pair of the largest graph TensorFlow's AMP rewrote in case_dir."""
    best = None
    for post in glob.glob(os.path.join(case_dir, "graphdef_AutoMixedPrecision_*.pb")):
        pre = post.replace("graphdef_AutoMixedPrecision_", "graphdef_preop_")
        if os.path.exists(pre) and (best is None or os.path.getsize(post) > os.path.getsize(
                best[1])):
            best = (pre, post)
    return best


def dump(out, frozen_graphs):
    tf = _tf()
    import numpy as np

    tf.keras.utils.set_random_seed(0)
    cases = [("seed_mlp_train", lambda: seed_mlp(tf, np)), ("cnn_bn_train", lambda: cnn_bn(tf, np)),
             ("encoder_infer", lambda: encoder(tf, np))]
    for name, path in frozen_graphs:
        cases.append((name, lambda p=path: frozen(tf, np, p)))
    manifest = {}
    for name, run in cases:
        d = os.path.join(out, name)
        os.makedirs(d, exist_ok=True)
        # Read at each optimization: one folder per case.
        os.environ["TF_AUTO_MIXED_PRECISION_GRAPH_REWRITE_LOG_PATH"] = d
        try:
            run()
        except Exception as e:  # noqa: BLE001 - recorded, the test fails on it
            manifest[name] = {"error": f"{type(e).__name__}: {e}"[:2000]}
            continue
        p = pick(d)
        manifest[name] = ({"pre": p[0], "post": p[1]} if p else
                          {"error": "TensorFlow's AMP wrote no post-pass graph in " + d})
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)


# ---- comparison -------------------------------------------------------------------------------

def _load(path):
    from tensorflow.core.framework import graph_pb2

    g = graph_pb2.GraphDef()
    with open(path, "rb") as f:
        g.ParseFromString(f.read())
    return g


def _types(n):
    from tensorflow.core.framework import types_pb2

    d = {}
    for k, v in n.attr.items():
        if k == "value":
            continue
        if v.HasField("type"):
            d[k] = types_pb2.DataType.Name(v.type)
        elif v.HasField("list") and len(v.list.type):
            d[k] = [types_pb2.DataType.Name(t) for t in v.list.type]
    return d


def _src(inp):
    inp = inp.lstrip("^")
    name, _, port = inp.partition(":")
    return name, int(port or 0)


def _amp_casts(g, pre_names):
    """AMP-inserted Casts (Casts the pre-pass graph does not have) as {(source node, port,
    DstT): count}, each source followed back through chains of inserted Casts."""
    from tensorflow.core.framework import types_pb2

    nodes = {n.name: n for n in g.node}
    inserted = {n.name for n in g.node if n.op == "Cast" and n.name not in pre_names}

    def root(inp):
        name, port = _src(inp)
        while name in inserted:
            name, port = _src(nodes[name].input[0])
        return name, port

    casts = {}
    for n in g.node:
        if n.name in inserted:
            s = root(n.input[0])
            key = (s[0], s[1], types_pb2.DataType.Name(n.attr["DstT"].type))
            casts.setdefault(key, 0)
            casts[key] += 1
    return casts


def compare(pre_path, tf_path, aamp_path):
    """Node by node: every node of the pre-pass graph must end with the same dtype in every type
    attr in both graphs; AMP-inserted Casts are compared by (source, port, DstT), with Const
    sources (TF keeps a float32 Const and a Cast, aamp stores the Const in bfloat16) compared as
    the dtype the Const's readers get."""
    pre, tfg, aag = _load(pre_path), _load(tf_path), _load(aamp_path)
    pre_names = {n.name for n in pre.node}
    tfn = {n.name: n for n in tfg.node}
    aan = {n.name: n for n in aag.node}
    diffs = []
    compared = 0
    for n in pre.node:
        if n.op == "Const":
            continue
        a, b = tfn.get(n.name), aan.get(n.name)
        if a is None or b is None:
            diffs.append({"node": n.name, "op": n.op, "kind": "missing",
                          "tf": a is not None, "aamp": b is not None})
            continue
        compared += 1
        ta, tb = _types(a), _types(b)
        if ta != tb:
            diffs.append({"node": n.name, "op": n.op, "kind": "dtype", "tf": ta, "aamp": tb})
    ops = {n.name: n.op for n in pre.node}
    ctf, caa = _amp_casts(tfg, pre_names), _amp_casts(aag, pre_names)
    # Consts: TF casts them, aamp converts them; both mean "readers get DstT".
    pre_nodes = {n.name: n for n in pre.node}
    for name, n in aan.items():
        if n.op == "Const" and name in pre_names:
            before = _types(pre_nodes[name]).get("dtype")
            now = _types(n).get("dtype")
            if now != before:
                caa[(name, 0, now)] = caa.get((name, 0, now), 0) + 1
    readers = {}
    for n in pre.node:
        for i in n.input:
            readers.setdefault(_src(i)[0], []).append(n.name)
    for key in sorted(set(ctf) | set(caa)):
        if ctf.get(key, 0) != caa.get(key, 0):
            diffs.append({"node": key[0], "op": ops.get(key[0], "?"), "kind": "cast",
                          "port": key[1], "dst": key[2], "tf": ctf.get(key, 0),
                          "aamp": caa.get(key, 0), "readers": readers.get(key[0], [])})

    def summary(g, casts):
        non_const = sum(v for k, v in casts.items() if ops.get(k[0]) != "Const")
        low = sum(1 for n in g.node if n.name in pre_names and n.op != "Const" and any(
            t in ("DT_BFLOAT16", "DT_HALF") for v in _types(n).values()
            for t in (v if isinstance(v, list) else [v])))
        return {"nodes": len(g.node), "casts": non_const, "converted": low}

    return {"pre_nodes": len(pre.node), "compared": compared, "tf": summary(tfg, ctf),
            "aamp": summary(aag, caa), "diffs": diffs}


def _runnable(gd):
    """A function body (TF's pre/post-pass dumps) as a plain graph: _Arg -> Placeholder,
    _Retval -> Identity. Returns (graph, input names by index, output names by index)."""
    from tensorflow.core.framework import graph_pb2

    out = graph_pb2.GraphDef()
    out.CopyFrom(gd)
    ins, outs = {}, {}
    for n in out.node:
        if n.op == "_Arg":
            ins[n.attr["index"].i] = n.name
            t = n.attr["T"].type
            shapes = n.attr["_output_shapes"].list.shape
            shape = shapes[0] if len(shapes) else None
            n.op = "Placeholder"
            for k in list(n.attr):
                del n.attr[k]
            n.attr["dtype"].type = t
            if shape is not None:
                n.attr["shape"].shape.CopyFrom(shape)
        elif n.op == "_Retval":
            outs[n.attr["index"].i] = n.name
            t = n.attr["T"].type
            n.op = "Identity"
            for k in list(n.attr):
                del n.attr[k]
            n.attr["T"].type = t
    return out, [ins[i] for i in sorted(ins)], [outs[i] for i in sorted(outs)]


def evaluate(pre_path, posts, int_high=2):
    """Runs the float32 pre-pass graph and each rewritten graph (TF's AMP off) on the same seeded
    inputs; returns {name: max over float outputs of ||y - y_f32|| / ||y_f32||}."""
    import numpy as np
    import tensorflow as tf

    # The graphs as painted: no AMP, no fusions on top.
    tf.config.optimizer.set_experimental_options(
        {"auto_mixed_precision_onednn_bfloat16": False, "remapping": False})

    def run(path, feeds=None):
        gd, ins, outs = _runnable(_load(path))

        def imported():
            tf.graph_util.import_graph_def(gd, name="")

        fn = tf.compat.v1.wrap_function(imported, [])
        g = fn.graph
        ts = [g.get_tensor_by_name(i + ":0") for i in ins]
        pruned = fn.prune(ts, [g.get_tensor_by_name(o + ":0") for o in outs])
        if feeds is None:
            rng = np.random.default_rng(4)
            feeds = []
            for t in ts:
                shape = [1 if d is None or d < 0 else d for d in t.shape.as_list()]
                dt = t.dtype.as_numpy_dtype
                feeds.append(rng.integers(0, int_high, shape).astype(dt) if t.dtype.is_integer
                             else rng.random(shape).astype(dt))
        ys = pruned(*[tf.constant(f) for f in feeds])
        return feeds, [np.asarray(tf.cast(y, tf.float64)) if y.dtype.is_floating else None
                       for y in ys]

    feeds, ref = run(pre_path)
    errs = {}
    for name, path in posts.items():
        _, ys = run(path, feeds)
        e = 0.0
        for r, y in zip(ref, ys):
            if r is not None and y is not None:
                e = max(e, float(np.linalg.norm(y - r) / max(np.linalg.norm(r), 1e-30)))
        errs[name] = e
    return errs


def main(argv):
    if argv[1] == "dump":
        out = argv[2]
        fz = []
        rest = argv[3:]
        while rest:
            if rest[0] != "--frozen":
                raise SystemExit(f"unexpected {rest[0]}")
            name, _, path = rest[1].partition("=")
            fz.append((name, path))
            rest = rest[2:]
        dump(out, fz)
    elif argv[1] == "evaluate":
        print(json.dumps(evaluate(argv[2], dict(a.split("=", 1) for a in argv[3:]))))
    elif argv[1] == "compare":
        print(json.dumps(compare(argv[2], argv[3], argv[4])))
    elif argv[1] == "compare-all":
        # JSON list of {"case", "pre", "tf", "aamp": {mode: path}, "evaluate": bool} -> results.
        with open(argv[2]) as f:
            jobs = json.load(f)
        results = {}
        for job in jobs:
            r = {m: compare(job["pre"], job["tf"], p) for m, p in job["aamp"].items()}
            if job.get("evaluate"):
                r["errors"] = evaluate(job["pre"], {"tf": job["tf"], **job["aamp"]})
            results[job["case"]] = r
        with open(argv[3], "w") as f:
            json.dump(results, f)
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
