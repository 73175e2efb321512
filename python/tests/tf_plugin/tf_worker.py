"""Runs TensorFlow models in a fresh process for the plugin tests (the plugin is loaded, and its
environment read, at `import tensorflow`): python tf_worker.py JOB OUTDIR [--api]

JOB: keras (Dense/Conv/BatchNorm/LayerNormalization/GELU/softmax, model.predict), frozen
(ResNet-style and BERT-style Keras models frozen to GraphDefs, run by tf.compat.v1.Session),
custom (a user's op from tf.load_op_library between two MatMuls), pb:PATH:INPUTS (a GraphDef
file run by a Session with seeded inputs; INPUTS 'name=d0xd1x...;...'), fit (one Keras fit
step). --api: aamp.set_config(AMP on) after `import tensorflow`, as ITEX users do.
Outputs: OUTDIR/<name>.npy, and OUTDIR/info.json (fetch names and dtypes)."""

import json
import os
import sys

import numpy as np


def set_api_config(log_dir):
    import aamp as itex

    opts = itex.AutoMixedPrecisionOptions()
    opts.data_type = itex.BFLOAT16
    graph_options = itex.GraphOptions(auto_mixed_precision_options=opts)
    graph_options.auto_mixed_precision = itex.ON
    config = itex.ConfigProto(graph_options=graph_options)
    if log_dir:
        config.debug_options.auto_mixed_precision_log_path = log_dir
    itex.set_config(config)


def keras_model(tf):
    tf.keras.utils.set_random_seed(1)
    L = tf.keras.layers
    x = tf.keras.Input((16, 16, 3))
    h = L.Conv2D(16, 3, padding="same", activation="relu")(x)
    h = L.BatchNormalization()(h)
    h = L.Conv2D(16, 3, padding="same")(h)
    h = L.GlobalAveragePooling2D()(h)
    h = L.Dense(64)(h)
    h = L.LayerNormalization()(h)
    h = L.Dense(64, activation="gelu")(h)
    y = L.Dense(10, activation="softmax")(h)
    m = tf.keras.Model(x, y)
    set_batch_norm_statistics(m)
    return m


def set_batch_norm_statistics(model):
    """Non-trivial BatchNorm parameters and statistics, as a trained model has."""
    rng = np.random.RandomState(2)
    for layer in model.layers:
        if layer.__class__.__name__ == "BatchNormalization":
            c = layer.get_weights()[0].shape[0]
            layer.set_weights([rng.uniform(0.5, 1.5, c).astype("float32"),
                               rng.uniform(-0.2, 0.2, c).astype("float32"),
                               rng.uniform(-0.2, 0.2, c).astype("float32"),
                               rng.uniform(0.5, 2.0, c).astype("float32")])


def resnet_style(tf):
    tf.keras.utils.set_random_seed(3)
    L = tf.keras.layers
    x = tf.keras.Input((32, 32, 3))
    h = L.Conv2D(16, 3, padding="same", use_bias=False)(x)
    h = L.ReLU()(L.BatchNormalization()(h))
    for _ in range(2):
        r = L.Conv2D(16, 3, padding="same", use_bias=False)(h)
        r = L.ReLU()(L.BatchNormalization()(r))
        r = L.Conv2D(16, 3, padding="same", use_bias=False)(r)
        r = L.BatchNormalization()(r)
        h = L.ReLU()(L.Add()([h, r]))
    h = L.GlobalAveragePooling2D()(h)
    m = tf.keras.Model(x, L.Dense(10)(h))
    set_batch_norm_statistics(m)
    return m


def bert_style(tf):
    tf.keras.utils.set_random_seed(4)
    L = tf.keras.layers
    ids = tf.keras.Input((32,), dtype="int32")
    h = L.Embedding(100, 64)(ids)
    for _ in range(2):
        a = L.MultiHeadAttention(num_heads=4, key_dim=16)(h, h)
        h = L.LayerNormalization(epsilon=1e-12)(h + a)
        f = L.Dense(128, activation="gelu")(h)
        h = L.LayerNormalization(epsilon=1e-12)(h + L.Dense(64)(f))
    return tf.keras.Model(ids, L.Dense(8)(h[:, 0]))


def freeze(tf, model, spec):
    from tensorflow.python.framework.convert_to_constants import (
        convert_variables_to_constants_v2)

    fn = tf.function(lambda x: model(x, training=False)).get_concrete_function(spec)
    frozen = convert_variables_to_constants_v2(fn)
    gd = frozen.graph.as_graph_def()
    inp = [t.name for t in frozen.inputs][0]
    out = [t.name for t in frozen.outputs][0]
    return gd, inp, out


def run_pair(tf, c):
    """Runs both graphs of one pair on the same seeded inputs: {output: error}."""
    rng = np.random.RandomState(8)
    feeds = {}
    for name, (shape, dtype) in c["inputs"].items():
        shape = [d if d and d > 0 else 1 for d in shape]
        if dtype.startswith("int"):
            feeds[name + ":0"] = rng.randint(0, 4, shape).astype(dtype)
        else:
            feeds[name + ":0"] = rng.uniform(0, 1, shape).astype(dtype)
    results = {}
    for kind in ("fp32", "bf16"):
        gd = tf.compat.v1.GraphDef()
        with open(c[kind], "rb") as fh:
            gd.ParseFromString(fh.read())
        with tf.Graph().as_default() as g:
            tf.compat.v1.import_graph_def(gd, name="")
            with tf.compat.v1.Session(graph=g) as sess:
                fetches = [o + ":0" for o in c["outputs"]]
                results[kind] = dict(zip(c["outputs"], sess.run(fetches, feeds)))
    errs = {}
    for o in c["outputs"]:
        ref, got = results["fp32"][o], results["bf16"][o]
        if ref.dtype.kind != "f":
            continue
        ref = ref.astype(np.float64)
        got = got.astype(np.float64)
        assert ref.shape == got.shape, (c["name"], o, ref.shape, got.shape)
        errs[o] = float(np.linalg.norm(got - ref) /
                        max(np.linalg.norm(ref), np.sqrt(ref.size)))
    return errs


def run_session(tf, gd, feeds, fetch):
    with tf.Graph().as_default() as g:
        tf.compat.v1.import_graph_def(gd, name="")
        with tf.compat.v1.Session(graph=g) as sess:
            y = sess.run(fetch, feeds)
            t = g.get_tensor_by_name(fetch)
            return y, t.dtype.name


def main():
    job, out = sys.argv[1], sys.argv[2]
    api = "--api" in sys.argv
    import tensorflow as tf

    if api:
        set_api_config(os.environ.get("AAMP_TEST_LOG_DIR", ""))
    os.makedirs(out, exist_ok=True)
    info = {}
    if job == "keras":
        m = keras_model(tf)
        x = np.random.RandomState(0).randn(64, 16, 16, 3).astype("float32")
        np.save(os.path.join(out, "keras.npy"), m.predict(x, batch_size=32, verbose=0))
    elif job == "fit":
        m = keras_model(tf)
        m.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
        x = np.random.RandomState(0).randn(32, 16, 16, 3).astype("float32")
        y = np.arange(32) % 10
        h = m.fit(x, y, batch_size=16, epochs=1, verbose=0)
        np.save(os.path.join(out, "fit.npy"), np.array(h.history["loss"], dtype="float32"))
    elif job == "frozen":
        rng = np.random.RandomState(5)
        cases = [("resnet", resnet_style(tf), tf.TensorSpec((4, 32, 32, 3), tf.float32),
                  rng.randn(4, 32, 32, 3).astype("float32")),
                 ("bert", bert_style(tf), tf.TensorSpec((2, 32), tf.int32),
                  rng.randint(0, 100, (2, 32)).astype("int32"))]
        for name, model, spec, x in cases:
            gd, inp, fetch = freeze(tf, model, spec)
            with open(os.path.join(out, name + ".pb"), "wb") as f:
                f.write(gd.SerializeToString())
            y, dtype = run_session(tf, gd, {inp: x}, fetch)
            np.save(os.path.join(out, name + ".npy"), y)
            info[name] = {"fetch": fetch, "dtype": dtype}
    elif job == "custom":
        lib = tf.load_op_library(os.environ["AAMP_TEST_OPS_LIB"])
        rng = np.random.RandomState(6)
        w1 = tf.constant(rng.randn(32, 64).astype("float32") * 0.2)
        w2 = tf.constant(rng.randn(64, 8).astype("float32") * 0.2)
        x = tf.constant(rng.randn(16, 32).astype("float32"))

        @tf.function
        def f(x):
            h = tf.matmul(x, w1)
            h = lib.aamp_test_scale(h)
            h = lib.aamp_test_scale_f32(h)
            return tf.matmul(h, w2)

        np.save(os.path.join(out, "custom.npy"), f(x).numpy())
    elif job == "variables":
        # A variable read by a bfloat16 MatMul, changed between runs by assign, assign_add and
        # optimizer steps: each run must see the current value (the plugin keeps the variable's
        # bfloat16 copy only while its buffer is the same). Records rel-L2 against NumPy.
        rng = np.random.RandomState(8)
        w = tf.Variable(rng.randn(64, 32).astype("float32"))
        x = tf.constant(rng.randn(8, 64).astype("float32"))

        @tf.function
        def f(x):
            return tf.matmul(x, w)

        def err():
            want = x.numpy().astype("float64") @ w.numpy().astype("float64")
            return float(np.linalg.norm(f(x).numpy() - want) / np.linalg.norm(want))

        errors = {"run1": err(), "run2": err()}
        w.assign(rng.randn(64, 32).astype("float32"))
        errors["assign"] = err()
        w.assign_add(np.full((64, 32), 3.0, "float32"))
        errors["assign_add"] = err()
        opt = tf.keras.optimizers.SGD(0.05)
        for i in range(4):
            with tf.GradientTape() as tape:
                loss = tf.reduce_sum(f(x) ** 2) * 1e-3
            opt.apply_gradients([(tape.gradient(loss, w), w)])
            errors[f"step{i}"] = err()
        info["errors"] = errors
    elif job.startswith("pairs:"):
        # JSON list of {name, fp32, bf16, inputs: {name: [shape, dtype]}, outputs: [names]}: runs
        # both graphs of each pair on the same seeded inputs, records the per-output error.
        cases = json.load(open(job.split(":", 1)[1]))
        for c in cases:
            try:
                info[c["name"]] = run_pair(tf, c)
            except Exception as e:  # recorded: the test reports every model that fails
                info[c["name"]] = {"error": f"{type(e).__name__}: {str(e)[:400]}"}
    elif job.startswith("pb:"):
        _, path, inputs = job.split(":", 2)
        gd = tf.compat.v1.GraphDef()
        with open(path, "rb") as fh:
            gd.ParseFromString(fh.read())
        rng = np.random.RandomState(7)
        feeds = {}
        for spec in inputs.split(";"):
            name, dims = spec.split("=")
            shape = [int(d) for d in dims.split("x")]
            feeds[name + ":0"] = rng.uniform(0, 1, shape).astype("float32")
        fetch = os.environ["AAMP_TEST_FETCH"]
        y, dtype = run_session(tf, gd, feeds, fetch)
        np.save(os.path.join(out, "pb.npy"), y)
        info["pb"] = {"fetch": fetch, "dtype": dtype}
    else:
        raise SystemExit(f"unknown job {job}")
    if "--import-aamp-after" in sys.argv:
        # aamp's Python module after the plugin's implementation is loaded (one libaamp.so and
        # one registration of aamp's protobuf descriptors per process).
        import aamp

        gd = tf.function(lambda x: tf.nn.relu(tf.matmul(x, tf.ones((8, 8))))).get_concrete_function(
            tf.TensorSpec((4, 8), tf.float32)).graph.as_graph_def()
        path = os.path.join(out, "small.pb")
        with open(path, "wb") as f:
            f.write(gd.SerializeToString())
        _, report = aamp.optimize(aamp.load(path))
        info["aamp_after"] = report["message"]
    with open(os.path.join(out, "info.json"), "w") as f:
        json.dump(info, f)


if __name__ == "__main__":
    main()
