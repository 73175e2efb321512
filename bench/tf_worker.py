#!/usr/bin/env python3
"""One inference workload in this Python's TensorFlow, for bench/itex_peer and bench/tf_plugin
(run in each venv): whatever graph optimizer plugin this TensorFlow loads (aamp's or ITEX) does
the mixed precision, configured by the environment (ITEX_AUTO_MIXED_PRECISION*, which both
honour); AAMP_BENCH_TF_AMP=1 turns on TensorFlow's own auto_mixed_precision_onednn_bfloat16.

  python tf_worker.py mlp BATCH ITERS              the seed's Keras MLP (4096 units), predict
  python tf_worker.py resnet50 BATCH ITERS         keras.applications.ResNet50 (random weights)
  python tf_worker.py bert BATCH ITERS             a Keras BERT-base encoder (12 x 768, seq 128)
  python tf_worker.py pb PATH INPUTS ITERS         a frozen GraphDef in a tf.compat.v1.Session
                                                   INPUTS: 'name=d0xd1x...;name2=...:int32[:N]'
Writes the first output to $AAMP_PEER_OUT (.npy) and prints one JSON line: median and p90 ms
and TensorFlow's version."""

import json
import os
import sys
import time

import numpy as np


def timed(fn, iters, warmup=3):
    for _ in range(warmup):
        fn()
    ts = []
    for _ in range(iters):
        t0 = time.perf_counter()
        fn()
        ts.append((time.perf_counter() - t0) * 1e3)
    return float(np.median(ts)), float(np.percentile(ts, 90))


def seed_mlp(tf, batch, iters):
    keras = tf.keras
    keras.utils.set_random_seed(0)
    inputs = keras.Input(shape=(784,), name="digits")
    x = keras.layers.Dense(4096, activation="relu", name="dense_1")(inputs)
    x = keras.layers.Dense(4096, activation="relu", name="dense_2")(x)
    x = keras.layers.Dense(10, name="dense_logits")(x)
    x = keras.layers.Activation("linear", dtype="float32")(x)
    outputs = keras.layers.Activation("softmax", dtype="float32", name="predictions")(x)
    model = keras.Model(inputs=inputs, outputs=outputs)
    xin = tf.constant(np.random.default_rng(0).random((batch, 784), dtype=np.float32))
    f = tf.function(lambda v: model(v, training=False))
    out = f(xin).numpy()
    med, p90 = timed(lambda: f(xin).numpy(), iters)
    return med, p90, out


def keras_predict(tf, model, x, iters):
    f = tf.function(lambda *v: model(v if len(v) > 1 else v[0], training=False))
    out = f(*x)
    out = (out[0] if isinstance(out, (list, tuple)) else out).numpy()
    med, p90 = timed(lambda: tf.nest.map_structure(lambda t: t.numpy(), f(*x)), iters)
    return med, p90, out


def resnet50(tf, batch, iters):
    tf.keras.utils.set_random_seed(0)
    model = tf.keras.applications.ResNet50(weights=None)
    x = tf.constant(np.random.default_rng(0).random((batch, 224, 224, 3), dtype=np.float32))
    return keras_predict(tf, model, [x], iters)


def bert(tf, batch, iters, layers=12, hidden=768, heads=12, ffn=3072, seq=128, vocab=30522):
    """BERT-base's encoder in Keras layers: token + position + segment embeddings, LayerNorm,
    12 x (self-attention with a padding mask, Add & LayerNorm, GELU FFN, Add & LayerNorm)."""
    tf.keras.utils.set_random_seed(0)
    keras = tf.keras
    L = keras.layers

    class Embeddings(L.Layer):
        def build(self, shape):
            self.tok = self.add_weight(shape=(vocab, hidden), initializer="random_normal")
            self.pos = self.add_weight(shape=(seq, hidden), initializer="random_normal")

        def call(self, ids):
            return keras.ops.take(self.tok, ids, axis=0) + self.pos[None]

    ids = keras.Input((seq,), dtype="int32")
    mask = keras.Input((seq,), dtype="int32")
    h = L.LayerNormalization(epsilon=1e-12)(Embeddings()(ids))
    att_mask = keras.ops.expand_dims(keras.ops.cast(mask, "bool"), 1)  # [B, 1, S]
    for _ in range(layers):
        a = L.MultiHeadAttention(heads, hidden // heads)(h, h, attention_mask=att_mask)
        h = L.LayerNormalization(epsilon=1e-12)(h + a)
        f = L.Dense(hidden)(L.Dense(ffn, activation="gelu")(h))
        h = L.LayerNormalization(epsilon=1e-12)(h + f)
    model = tf.keras.Model([ids, mask], h)
    rng = np.random.default_rng(0)
    x = [tf.constant(rng.integers(0, vocab, (batch, seq)).astype(np.int32)),
         tf.constant(np.ones((batch, seq), np.int32))]
    return keras_predict(tf, model, x, iters)


def frozen(tf, path, inputs, iters):
    gd = tf.compat.v1.GraphDef()
    with open(path, "rb") as fh:
        gd.ParseFromString(fh.read())
    rng = np.random.default_rng(0)
    feeds = {}
    for spec in inputs.split(";"):
        name, rest = spec.split("=")
        shape, _, dtype = rest.partition(":")
        dtype, _, high = dtype.partition(":")  # int inputs: 'int32:N' draws 0..N-1 (default 100)
        dims = [int(d) for d in shape.split("x")]
        if dtype in ("int32", "int64"):
            feeds[name + ":0"] = rng.integers(0, int(high or 100), dims).astype(dtype)
        else:
            feeds[name + ":0"] = rng.standard_normal(dims).astype(np.float32)
    with tf.Graph().as_default() as g:
        tf.graph_util.import_graph_def(gd, name="")
        consumed = {i.split(":")[0].lstrip("^") for n in gd.node for i in n.input}
        fetch = [n.name + ":0" for n in gd.node if n.name not in consumed and n.op != "NoOp"][:1]
        config = tf.compat.v1.ConfigProto()
        if os.environ.get("AAMP_BENCH_TF_AMP") == "1":
            config.graph_options.rewrite_options.auto_mixed_precision_onednn_bfloat16 = 1  # ON
        with tf.compat.v1.Session(graph=g, config=config) as s:
            out = s.run(fetch, feeds)[0]
            med, p90 = timed(lambda: s.run(fetch, feeds), iters)
    return med, p90, out


def main():
    import tensorflow as tf
    if os.environ.get("AAMP_BENCH_TF_AMP") == "1":
        tf.config.optimizer.set_experimental_options({"auto_mixed_precision_onednn_bfloat16": True})
    job = sys.argv[1]
    if job in ("mlp", "resnet50", "bert"):
        fn = {"mlp": seed_mlp, "resnet50": resnet50, "bert": bert}[job]
        med, p90, out = fn(tf, int(sys.argv[2]), int(sys.argv[3]))
    elif job == "pb":
        med, p90, out = frozen(tf, sys.argv[2], sys.argv[3], int(sys.argv[4]))
    else:
        sys.exit(f"itex_peer_worker: unknown job {job}")
    np.save(os.environ["AAMP_PEER_OUT"], np.asarray(out, np.float32))
    print(json.dumps({"median_ms": med, "p90_ms": p90, "tensorflow": tf.__version__}))


if __name__ == "__main__":
    main()
