#!/usr/bin/env python3
"""Train the PyTorch reference models of issue 11 on Fashion-MNIST and export them to ONNX.

Each model reads x in [0, 1] (pixel / 255, ann2snn's default 'unit' normalization), shape
[N, 1, 28, 28] with a dynamic batch axis, input name "input", output "logits". BatchNorm is folded
into the preceding convolution in Python before export (so the ONNX holds no BatchNormalization).
Each export is checked with onnxruntime on the 10,000 test images against the folded PyTorch
model, and a recipe (<name>.recipe.json) records what was trained and both accuracies.

A developer tool only: ann2snn's tests and CI never run it (they read the committed .onnx files).

    pip install torch onnx onnxruntime
    python3 scripts/pytorch/train_fmnist_models.py                 # all five models
    python3 scripts/pytorch/train_fmnist_models.py --models qcfs   # one of them
"""
import argparse
import contextlib
import copy
import gzip
import json
import os
import platform
import shutil
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

DEFAULT_DATA = "/usr/share/datasets/fashion-mnist"
OPSET = 17


@contextlib.contextmanager
def atomic_output(path):
    """Yields a temporary path beside `path` (.<name>.<pid>.tmp) to write; on success fsyncs it and
    renames it onto `path`, on any error or Ctrl-C removes it: `path` is never partial. (This
    developer tool regenerates committed models, so it replaces them without asking.)"""
    directory, name = os.path.split(os.path.abspath(path))
    temporary = os.path.join(directory, f".{name}.{os.getpid()}.tmp")
    try:
        yield temporary
        with open(temporary, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.remove(temporary)
        raise


def write_json(path, value):
    with atomic_output(path) as temporary, open(temporary, "w") as f:
        json.dump(value, f, indent=2, ensure_ascii=False)
        f.write("\n")


# ---------------------------------------------------------------- data


def read_idx(path):
    """An IDX file (gzip) as a numpy array: magic 0x00000803 (images) or 0x00000801 (labels)."""
    with gzip.open(path, "rb") as f:
        raw = f.read()
    dims = raw[3]
    shape = tuple(int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(dims))
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def load_split(root, prefix):
    """x: float32 [N, 1, 28, 28] = pixel / 255 (as ann2snn feeds images); y: int64 [N]."""
    images = read_idx(os.path.join(root, f"{prefix}-images-idx3-ubyte.gz"))
    labels = read_idx(os.path.join(root, f"{prefix}-labels-idx1-ubyte.gz"))
    x = torch.from_numpy(images.astype(np.float32) / np.float32(255)).unsqueeze(1)
    return x, torch.from_numpy(labels.astype(np.int64))


# ---------------------------------------------------------------- layers


class GradFloor(torch.autograd.Function):
    """floor in the forward pass, identity (straight-through) gradient: Bu et al.'s reference code."""

    @staticmethod
    def forward(ctx, input):
        return input.floor()

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output


myfloor = GradFloor.apply


class QCFS(nn.Module):
    """Quantization-clip-floor-shift activation (Bu et al., ICLR 2022), as their reference code writes it:
    y = λ·clip(⌊x·L/λ + ½⌋ / L, 0, 1), λ = up (learned), L = t."""

    def __init__(self, up=8.0, t=4):
        super().__init__()
        self.up = nn.Parameter(torch.tensor([up]), requires_grad=True)
        self.t = t

    def forward(self, x):
        x = x / self.up
        x = myfloor(x * self.t + 0.5) / self.t
        x = torch.clamp(x, 0, 1)
        x = x * self.up
        return x


class Clip01(nn.Module):
    """clip(x, 0, 1): exports as ONNX Clip(0, 1)."""

    def forward(self, x):
        return torch.clamp(x, 0, 1)


def activation(kind):
    if kind == "relu":
        return nn.ReLU()
    if kind == "clip":
        return Clip01()
    if kind == "qcfs":
        return QCFS(up=8.0, t=4)
    raise ValueError(f"unknown activation {kind}")


class ConvBN(nn.Module):
    """Conv2d (no bias) → BatchNorm2d; fold() turns it into one Conv2d with bias (eval statistics)."""

    def __init__(self, cin, cout, k=3, stride=1):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, k, stride=stride, padding=k // 2, bias=False)
        self.bn = nn.BatchNorm2d(cout)

    def forward(self, x):
        return self.bn(self.conv(x))

    def fold(self):
        return torch.nn.utils.fusion.fuse_conv_bn_eval(self.conv.eval(), self.bn.eval())


def fold_batchnorm(module):
    """Replaces every ConvBN inside `module` (in place) by its folded Conv2d."""
    for name, child in module.named_children():
        if isinstance(child, ConvBN):
            setattr(module, name, child.fold())
        else:
            fold_batchnorm(child)
    return module


# ---------------------------------------------------------------- models


def conv_stack(spec, act, pool):
    """spec: channel counts and 'P' for a 2×2 pool (stride 2); each conv is ConvBN → act."""
    layers, cin = [], 1
    for item in spec:
        if item == "P":
            layers.append(pool(2))
        else:
            layers += [ConvBN(cin, item), activation(act)]
            cin = item
    return layers, cin


class PlainCNN(nn.Sequential):
    def __init__(self, spec, act, pool, side):
        layers, cin = conv_stack(spec, act, pool)
        super().__init__(*layers, nn.Flatten(), nn.Linear(cin * side * side, 10))


class BasicBlock(nn.Module):
    """y = act(BN(conv(act(BN(conv(x))))) + shortcut(x)); shortcut = identity or 1×1 ConvBN."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.c1 = ConvBN(cin, cout, 3, stride)
        self.a1 = nn.ReLU()
        self.c2 = ConvBN(cout, cout, 3, 1)
        self.shortcut = ConvBN(cin, cout, 1, stride) if (stride != 1 or cin != cout) else nn.Identity()
        self.a2 = nn.ReLU()

    def forward(self, x):
        return self.a2(self.c2(self.a1(self.c1(x))) + self.shortcut(x))


class ResNet(nn.Module):
    def __init__(self, widths=(16, 32, 64), blocks=(2, 2, 2)):
        super().__init__()
        self.stem = ConvBN(1, widths[0])
        self.stem_act = nn.ReLU()
        layers, cin = [], widths[0]
        for i, (w, n) in enumerate(zip(widths, blocks)):
            for j in range(n):
                layers.append(BasicBlock(cin, w, 2 if (i > 0 and j == 0) else 1))
                cin = w
        self.layers = nn.Sequential(*layers)
        self.fc = nn.Linear(cin, 10)

    def forward(self, x):
        x = self.layers(self.stem_act(self.stem(x)))
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


AVG, MAX = nn.AvgPool2d, nn.MaxPool2d

# name → (builder, summary, default epochs)
MODELS = {
    "qcfs": (
        "fmnist-qcfs-cnn",
        lambda: PlainCNN([16, 32, "P", 64, "P"], "qcfs", AVG, 7),
        "Conv16-BN-QCFS, Conv32-BN-QCFS, AvgPool2, Conv64-BN-QCFS, AvgPool2, Flatten, Linear(3136,10); QCFS L=4, λ init 8",
    ),
    "relu-cnn": (
        "fmnist-relu-cnn",
        lambda: PlainCNN([16, 16, "P", 32, 32, "P"], "relu", AVG, 7),
        "Conv16-BN-ReLU ×2, AvgPool2, Conv32-BN-ReLU ×2, AvgPool2, Flatten, Linear(1568,10)",
    ),
    "relu-resnet": (
        "fmnist-relu-resnet",
        lambda: ResNet((16, 32, 64), (1, 1, 1)),
        "Conv16-BN-ReLU stem; 3 stages 16-32-64 of 1 BasicBlock each (stage 1: identity shortcut; stages 2-3: stride 2 and a 1×1 Conv-BN shortcut); GlobalAvgPool; Linear(64,10)",
    ),
    "clip-vgg10": (
        "fmnist-clip-vgg10",
        lambda: PlainCNN([16, 16, "P", 32, 32, 32, "P", 32, 32, 32, 32, 32], "clip", AVG, 7),
        "10 × Conv3x3-BN-Clip(0,1): 16-16 (28×28), AvgPool2, 32-32-32 (14×14), AvgPool2, 32-32-32-32-32 (7×7); Flatten, Linear(1568,10)",
    ),
    "maxpool-cnn": (
        "fmnist-maxpool-cnn",
        lambda: PlainCNN([32, "P", 64, "P", 64, "P"], "relu", MAX, 3),
        "Conv32-BN-ReLU-MaxPool2, Conv64-BN-ReLU-MaxPool2, Conv64-BN-ReLU-MaxPool2 (7→3), Flatten, Linear(576,10)",
    ),
}


# ---------------------------------------------------------------- training and checks


def predictions(model, x, batch=500):
    model.eval()
    out = []
    with torch.no_grad():
        for i in range(0, len(x), batch):
            out.append(model(x[i : i + batch]).argmax(1))
    return torch.cat(out)


def train(model, x, y, epochs, batch, lr, seed, log):
    g = torch.Generator().manual_seed(seed)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    steps = epochs * ((len(x) + batch - 1) // batch)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=steps, pct_start=0.15)
    history = []
    for epoch in range(epochs):
        model.train()
        start, seen, correct, loss_sum = time.time(), 0, 0, 0.0
        order = torch.randperm(len(x), generator=g)
        for i in range(0, len(x), batch):
            idx = order[i : i + batch]
            out = model(x[idx])
            loss = F.cross_entropy(out, y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            seen += len(idx)
            correct += (out.argmax(1) == y[idx]).sum().item()
            loss_sum += loss.item() * len(idx)
            if (i // batch) % 40 == 39:
                log(f"    {seen}/{len(x)} images, {time.time() - start:.0f} s")
        seconds = time.time() - start
        history.append({"epoch": epoch + 1, "loss": loss_sum / seen, "trainAccuracy": correct / seen, "seconds": round(seconds, 1)})
        log(f"  epoch {epoch + 1}/{epochs}: loss {loss_sum / seen:.4f}, train acc {correct / seen:.4f}, {seconds:.0f} s")
    return history


def export_onnx(model, path, side=28, opset=OPSET):
    """The ONNX export every recipe here uses (legacy exporter, batch axis N), written atomically."""
    dummy = torch.zeros(1, 1, side, side)
    with atomic_output(path) as temporary:
        torch.onnx.export(
            model,
            (dummy,),
            temporary,
            dynamo=False,
            opset_version=opset,
            do_constant_folding=True,
            input_names=["input"],
            output_names=["logits"],
            dynamic_axes={"input": {0: "N"}, "logits": {0: "N"}},
        )


def onnx_predictions(path, x, batch=500):
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 2
    sess = ort.InferenceSession(path, opts, providers=["CPUExecutionProvider"])
    out = [sess.run(None, {"input": x[i : i + batch].numpy()})[0].argmax(1) for i in range(0, len(x), batch)]
    return torch.from_numpy(np.concatenate(out))


def node_ops(path):
    import onnx

    return [n.op_type for n in onnx.load(path).graph.node]


def recheck(stem, xte, yte, log):
    """Re-measures <stem>.onnx with onnxruntime and writes the figures into <stem>.recipe.json."""
    with open(stem + ".recipe.json") as f:
        recipe = json.load(f)
    pred = onnx_predictions(stem + ".onnx", xte)
    recipe["testAccuracyOnnxRuntime"] = (pred == yte).float().mean().item()
    recipe["testAccuracyOnnxRuntimeFirst500"] = (pred[:500] == yte[:500]).float().mean().item()
    write_json(stem + ".recipe.json", recipe)
    log(f"{stem}: onnxruntime {recipe['testAccuracyOnnxRuntime']:.4f} (first 500: {recipe['testAccuracyOnnxRuntimeFirst500']:.4f})")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--models", default=",".join(MODELS), help=f"comma-separated: {', '.join(MODELS)}")
    p.add_argument("--epochs", type=int, default=None, help="epochs for every model (default: per model, see EPOCHS)")
    p.add_argument("--limit", type=int, default=None, help="training images: the first n, 0 = all 60,000 (default: per model, see LIMITS)")
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--seed", type=int, default=0)
    # One thread: on a shared, oversubscribed machine two threads spent most of their time waiting
    # for each other at every op (measured: more than 3× slower per image than one thread).
    p.add_argument("--threads", type=int, default=1, help="torch threads (default: 1)")
    p.add_argument("--data", default=DEFAULT_DATA)
    p.add_argument("--out", default="models/pytorch")
    p.add_argument("--recheck", action="store_true", help="no training: re-measure the exported files with onnxruntime and update their recipes")
    p.add_argument("--copy-qcfs-to", default=None, help="also copy the qcfs model here")
    args = p.parse_args()

    torch.set_num_threads(args.threads)
    os.makedirs(args.out, exist_ok=True)
    xtrain, ytrain = load_split(args.data, "train")
    xte, yte = load_split(args.data, "t10k")
    log = lambda s: print(s, flush=True)

    if args.recheck:
        for key in args.models.split(","):
            recheck(os.path.join(args.out, MODELS[key][0]), xte, yte, log)
        return

    for key in args.models.split(","):
        name, build, summary = MODELS[key]
        epochs = args.epochs if args.epochs is not None else EPOCHS[key]
        limit = args.limit if args.limit is not None else LIMITS[key]
        xtr, ytr = (xtrain[:limit], ytrain[:limit]) if limit else (xtrain, ytrain)
        torch.manual_seed(args.seed)
        model = build()
        params = sum(p.numel() for p in model.parameters())
        log(f"{name}: {params} parameters, {epochs} epochs on {len(xtr)} images")
        start = time.time()
        history = train(model, xtr, ytr, epochs, args.batch, args.lr, args.seed, log)
        train_seconds = time.time() - start
        folded = fold_batchnorm(copy.deepcopy(model).eval())
        pred_folded = predictions(folded, xte)
        acc_folded = (pred_folded == yte).float().mean().item()
        # Folding BN changes the float rounding; QCFS's floor can turn that into a different level,
        # so there the unfolded network is measured too (the others: same function, one pass saved).
        acc_torch = (predictions(model, xte) == yte).float().mean().item() if key == "qcfs" else acc_folded
        path = os.path.join(args.out, f"{name}.onnx")
        export_onnx(folded, path)
        ops = node_ops(path)
        if "BatchNormalization" in ops:
            raise SystemExit(f"{path}: BatchNormalization left in the export")
        pred_ort = onnx_predictions(path, xte)
        acc_ort = (pred_ort == yte).float().mean().item()
        disagree = int((pred_ort != pred_folded).sum().item())
        log(f"  test accuracy: torch {acc_torch:.4f}, folded {acc_folded:.4f}, onnxruntime {acc_ort:.4f} ({disagree} predictions differ)")
        recipe = {
            "format": "ann2snn-pytorch-recipe",
            "version": 1,
            "model": f"{name}.onnx",
            "architecture": summary,
            "parameters": params,
            "batchNormFolded": True,
            "input": {"name": "input", "shape": ["N", 1, 28, 28], "normalization": "unit (pixel / 255)"},
            "output": "logits",
            "opset": OPSET,
            "exporter": "torch.onnx.export(dynamo=False)",
            "onnxOps": sorted(set(ops)),
            "data": "fashion-mnist",
            "trainImages": len(xtr),
            "epochs": epochs,
            "batch": args.batch,
            "optimizer": "adam",
            "lr": args.lr,
            "schedule": "one-cycle",
            "seed": args.seed,
            "threads": args.threads,
            "torch": torch.__version__,
            "testImages": len(xte),
            "testAccuracyTorch": acc_torch,
            "testAccuracyTorchFolded": acc_folded,
            "testAccuracyOnnxRuntime": acc_ort,
            "predictionsDifferingOnnxRuntimeVsTorch": disagree,
            "testAccuracyOnnxRuntimeFirst500": (pred_ort[:500] == yte[:500]).float().mean().item(),
            "trainSeconds": round(train_seconds, 1),
            "machine": f"{platform.machine()}, {os.cpu_count()} cores (shared), torch.set_num_threads({args.threads})",
            "command": f"python3 scripts/pytorch/train_fmnist_models.py --models {key}"
            + (f" --epochs {args.epochs}" if args.epochs is not None else "")
            + (f" --limit {args.limit}" if args.limit is not None else ""),
            "history": history,
        }
        if key == "qcfs":
            recipe["qcfs"] = {"levels": 4, "lambda": [round(m.up.item(), 6) for m in folded.modules() if isinstance(m, QCFS)]}
        write_json(os.path.join(args.out, f"{name}.recipe.json"), recipe)
        log(f"  wrote {path} ({os.path.getsize(path)} bytes); ops: {' '.join(ops)}")
        if key == "qcfs" and args.copy_qcfs_to:
            os.makedirs(os.path.dirname(args.copy_qcfs_to), exist_ok=True)
            with atomic_output(args.copy_qcfs_to) as temporary:
                shutil.copyfile(path, temporary)
            log(f"  copied to {args.copy_qcfs_to}")


# Default epochs per model, sized to train all five in about 45 minutes on 2 shared cores.
# Default epochs and training images per model (the first n of the 60,000; 0 = all), as committed.
EPOCHS = {"qcfs": 2, "relu-cnn": 2, "relu-resnet": 3, "clip-vgg10": 3, "maxpool-cnn": 2}
LIMITS = {"qcfs": 20000, "relu-cnn": 20000, "relu-resnet": 0, "clip-vgg10": 0, "maxpool-cnn": 20000}

if __name__ == "__main__":
    main()
