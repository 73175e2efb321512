#!/usr/bin/env python3
"""PyTorch CPU peer for aamp's benchmarks: the same MLP / BERT / ResNet-50 architectures as
tools/modelgen, timed in FP32 and under torch.autocast("cpu", torch.bfloat16) (or on the GPU
with --device cuda: FP32, autocast FP16 and BF16). Used by bench/run; standalone:

  bench/torch_peer.py --model mlp --batch 1024 --threads 16     # one JSON line per mode
"""
import argparse
import json
import statistics
import time


def timed(fn, warmup, iters, budget_s):
    for _ in range(warmup):
        fn()
    times = []
    t_end = time.perf_counter() + budget_s
    for i in range(iters):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1e3)
        if time.perf_counter() > t_end and i >= 2:
            break
    times.sort()
    q = lambda p: times[min(len(times) - 1, int(p * (len(times) - 1) + 0.5))]
    return {"median_ms": statistics.median(times), "p10_ms": q(0.1), "p90_ms": q(0.9),
            "iters": len(times)}


def torch_model(kind, arg):
    import torch
    from torch import nn

    torch.manual_seed(0)
    if kind == "mlp":
        return nn.Sequential(nn.Linear(784, arg), nn.ReLU(), nn.Linear(arg, arg), nn.ReLU(),
                             nn.Linear(arg, 10), nn.Softmax(-1)), lambda b: (torch.rand(b, 784),)
    if kind == "bert":
        layers, hidden, heads, inter, seq, vocab = arg

        class Bert(nn.Module):
            def __init__(self):
                super().__init__()
                self.tok = nn.Embedding(vocab, hidden)
                self.pos = nn.Embedding(512, hidden)
                self.typ = nn.Embedding(2, hidden)
                self.ln = nn.LayerNorm(hidden, eps=1e-12)
                layer = nn.TransformerEncoderLayer(hidden, heads, inter, dropout=0.0,
                                                   activation="gelu", batch_first=True)
                self.enc = nn.TransformerEncoder(layer, layers)

            def forward(self, ids):
                pos = torch.arange(ids.shape[1], device=ids.device).unsqueeze(0)
                x = self.ln(self.tok(ids) + self.pos(pos) + self.typ(torch.zeros_like(ids)))
                return self.enc(x)

        return Bert(), lambda b: (torch.randint(0, 100, (b, seq)),)
    if kind == "resnet50":
        import torchvision

        return torchvision.models.resnet50(), lambda b: (torch.rand(b, 3, 224, 224),)
    raise ValueError(kind)


def bench_torch(kind, arg, batch, threads, warmup, iters, budget_s, device="cpu",
                compile_modes=()):
    """Rows for fp32 and the autocast modes (cpu: bf16; cuda: fp16 and bf16), and a note
    (None, or why the peer could not run)."""
    try:
        import torch
    except ImportError:
        return [], "torch not importable (scripts/setup.sh --bench-peers installs it into .venv)"
    try:
        model, make = torch_model(kind, arg)
    except ImportError as e:
        return [], f"torch peer unavailable: {e}"
    if device == "cpu":
        torch.set_num_threads(threads)
    model = model.eval().to(device)
    x = tuple(t.to(device) for t in make(batch))
    if device == "cuda":
        # What a performance-minded PyTorch user does on a GPU: cuDNN autotuning, and NHWC
        # (channels_last) for the convolutions' tensor cores.
        torch.backends.cudnn.benchmark = True
        if kind == "resnet50":
            model = model.to(memory_format=torch.channels_last)
            x = tuple(t.to(memory_format=torch.channels_last) for t in x)
    sync = torch.cuda.synchronize if device == "cuda" else (lambda: None)
    modes = [("fp32", None), ("bf16", torch.bfloat16)]
    if device == "cuda":
        modes.insert(1, ("fp16", torch.float16))
    rows = []
    with torch.inference_mode():
        for mode, dt in modes:
            # PyTorch 1.13's fused inference path of nn.TransformerEncoderLayer (eval mode)
            # fails under autocast ("expected scalar type BFloat16 but found Float"): autocast
            # runs the model in train mode, which with dropout 0 computes the same function.
            # (Only the CPU peer, Debian's PyTorch 1.13, needs it.)
            model.train(dt is not None and kind == "bert" and device == "cpu")

            def fn(dt=dt, download=device == "cuda"):
                if dt is None:
                    y = model(*x)
                else:
                    with torch.autocast(device, dtype=dt):
                        y = model(*x)
                # On the GPU the output is copied to host memory, as aamp's Session returns it
                # (in the dtype autocast left it in: float16/bfloat16 where aamp returns the
                # graph's float32).
                if download:
                    y = y.cpu()
                sync()
            t = timed(fn, warmup, iters, budget_s)
            row = {"mode": mode, "engine": "pytorch", "device": device, **t,
                   "throughput_per_s": batch * 1e3 / t["median_ms"]}
            if device == "cuda":
                t_dev = timed(lambda: fn(download=False), warmup, iters, budget_s)
                row["median_ms_output_on_device"] = t_dev["median_ms"]
            if device == "cuda":
                torch.cuda.reset_peak_memory_stats()
                fn()
                row["peak_memory_bytes"] = int(torch.cuda.max_memory_allocated())
            rows.append(row)
        if device == "cuda" and compile_modes:
            rows += compiled_rows(torch, kind, model, x, batch, compile_modes, warmup, iters,
                                  budget_s, sync)
    return rows, None


def compiled_rows(torch, kind, model, x, batch, compile_modes, warmup, iters, budget_s, sync):
    """torch.compile of the model cast to float16 / bfloat16 (`.half()` / `.bfloat16()`, float
    inputs cast too), per compile mode: rows with engine "torch.compile" and the mode in
    "compile_mode"; the compile itself is the first (untimed) call."""
    import copy

    rows = []
    for mode, dt in (("fp16", torch.float16), ("bf16", torch.bfloat16)):
        low = copy.deepcopy(model).to(dt).eval()
        xs = tuple(t.to(dt) if t.is_floating_point() else t for t in x)
        for cm in compile_modes:
            try:
                f = torch.compile(low, mode=cm)
                t0 = time.perf_counter()
                f(*xs)
                sync()
                compile_s = time.perf_counter() - t0
            except Exception as e:  # a mode this PyTorch / machine cannot compile: say so
                rows.append({"mode": mode, "engine": "torch.compile", "compile_mode": cm,
                             "device": "cuda", "error": str(e)[-500:]})
                continue

            def fn(download=True):
                y = f(*xs)
                if download:
                    y = y.cpu()
                sync()
            t = timed(fn, warmup, iters, budget_s)
            t_dev = timed(lambda: fn(download=False), warmup, iters, budget_s)
            rows.append({"mode": mode, "engine": "torch.compile", "compile_mode": cm,
                         "device": "cuda", **t, "throughput_per_s": batch * 1e3 / t["median_ms"],
                         "median_ms_output_on_device": t_dev["median_ms"],
                         "compile_s": compile_s})
        del low
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", choices=["mlp", "bert", "resnet50"], required=True)
    ap.add_argument("--batch", type=int, default=1)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--iters", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--hidden", type=int, default=4096, help="MLP width")
    ap.add_argument("--seq", type=int, default=128, help="BERT sequence length")
    ap.add_argument("--layers", type=int, default=12, help="BERT encoder layers")
    ap.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    ap.add_argument("--compile", default="",
                    help="cuda: also torch.compile the .half()/.bfloat16() model in these modes "
                         "(comma-separated, e.g. default,reduce-overhead)")
    a = ap.parse_args()
    arg = {"mlp": a.hidden, "bert": (a.layers, 768, 12, 3072, a.seq, 30522),
           "resnet50": None}[a.model]
    rows, note = bench_torch(a.model, arg, a.batch, a.threads, a.warmup, a.iters, 120.0, a.device,
                             [m for m in a.compile.split(",") if m])
    for r in rows:
        print(json.dumps({"model": a.model, "batch": a.batch, "threads": a.threads, **r}))
    if note:
        print(json.dumps({"model": a.model, "note": note}))


if __name__ == "__main__":
    main()
