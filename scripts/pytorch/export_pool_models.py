#!/usr/bin/env python3
"""Export the PyTorch average-pool and zero-pad models of issue 13 (the event engine runs every graph).

Two kinds, both written to models/pytorch/ with a recipe (<name>.recipe.json) beside each:

* fmnist-clip-vgg-floorpool: a VGG-style net trained on Fashion-MNIST whose last AvgPool2d(2)
  pools a 7×7 map in floor mode (the last row and column are dropped):
  Conv16-BN-Clip ×2, AvgPool2, Conv32-BN-Clip ×2, AvgPool2, Conv32-BN-Clip ×2, AvgPool2 (7→3),
  Flatten, Linear(288, 10), BatchNorm folded into the convs before export (as train_fmnist_models.py
  does). What `bench/pools.ts` times on both engines.
* pools/<case>.onnx: five untrained nets (PyTorch's default init, seed 0) on 1×11×11 inputs with
  the pooling patterns PyTorch exports — floor mode on odd maps, padding with count_include_pad
  true and false, ceil mode, overlapping windows, nn.ZeroPad2d before a conv and before a pool,
  adaptive_avg_pool2d(1) after an overlapping pool. The engine tests convert them (calibrated on
  images they label themselves) and compare the engines spike for spike; only their layout matters.
  nn.ZeroPad2d's pads arithmetic is folded to constants after export (fold_pad_arithmetic, as
  onnx-simplifier would); the recipe lists what the exporter wrote and what was folded.
* pools/zero-pad-raw-opset{13,17}.onnx and pools/zero-pad-folded.onnx: one tiny untrained net
  (ZeroPad2d((1, 2, 0, 1)), Conv2d(1, 3, 3, stride 2), ReLU, Flatten, Linear(90, 5)) exported raw,
  the pads arithmetic (ConstantOfShape, Concat, Reshape, Slice, Transpose, Reshape, Cast) left as
  PyTorch wrote it, at opsets 13 and 17, and the opset-17 file folded: ann2snn's importer folds
  that arithmetic itself, and the tests check the raw files give the folded one's outputs and spikes.

A developer tool only: the tests read the committed .onnx files and never need PyTorch.

    pip install torch onnx onnxruntime
    python3 scripts/pytorch/export_pool_models.py                  # both kinds
    python3 scripts/pytorch/export_pool_models.py --only cases     # the five untrained nets
    python3 scripts/pytorch/export_pool_models.py --only raw       # the raw and folded zero-pad exports
"""
import argparse
import os
import platform
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

from train_fmnist_models import DEFAULT_DATA, OPSET, Clip01, atomic_output, export_onnx, write_json, conv_stack, fold_batchnorm, load_split, node_ops, onnx_predictions, predictions, train

SIDE = 11


def conv(cin, cout, padding=1):
    return nn.Conv2d(cin, cout, 3, padding=padding)


class GlobalAvg(nn.Module):
    """adaptive_avg_pool2d(x, 1): exports as ONNX GlobalAveragePool."""

    def forward(self, x):
        return F.adaptive_avg_pool2d(x, 1)


def head(features):
    return [nn.Flatten(), nn.Linear(features, 5)]


# name → (layers, what the layers do to the 11×11 map)
CASES = {
    "floor-avgpool": (
        lambda: [conv(1, 4), Clip01(), nn.AvgPool2d(2), conv(4, 6), Clip01(), nn.AvgPool2d(2), *head(6 * 2 * 2)],
        "AvgPool2d(2) in floor mode twice: 11→5 (row and column 10 dropped), 5→2",
    ),
    "padded-avgpool": (
        lambda: [
            conv(1, 4),
            Clip01(),
            nn.AvgPool2d(3, 2, padding=1, count_include_pad=True),
            conv(4, 6),
            Clip01(),
            nn.AvgPool2d(3, 2, padding=1, count_include_pad=False),
            *head(6 * 3 * 3),
        ],
        "AvgPool2d(3, 2, padding=1) with count_include_pad=True (11→6), then with False (6→3): overlapping, padded",
    ),
    "ceil-avgpool": (
        lambda: [
            conv(1, 4),
            Clip01(),
            nn.AvgPool2d(2, ceil_mode=True),
            conv(4, 6),
            Clip01(),
            nn.AvgPool2d(3, 2, padding=1, ceil_mode=True, count_include_pad=False),
            *head(6 * 4 * 4),
        ],
        "AvgPool2d(2, ceil_mode=True) on 11 (a partial last window, divisor 2 or 1: 11→6), then AvgPool2d(3, 2, padding=1, ceil_mode=True, count_include_pad=False) (6→4)",
    ),
    "zero-pads": (
        lambda: [
            conv(1, 4),
            Clip01(),
            nn.ZeroPad2d((1, 2, 0, 1)),
            conv(4, 6, padding=0),
            Clip01(),
            nn.ZeroPad2d(1),
            nn.AvgPool2d(3, 2, padding=1, count_include_pad=False),
            *head(6 * 6 * 7),
        ],
        "ZeroPad2d((1, 2, 0, 1)) before an unpadded conv (11×11→12×14→10×12), ZeroPad2d(1) before AvgPool2d(3, 2, padding=1, count_include_pad=False) (10×12→12×14→6×7)",
    ),
    "overlap-gap": (
        lambda: [
            conv(1, 4),
            Clip01(),
            nn.AvgPool2d(3, 2),
            conv(4, 6),
            Clip01(),
            nn.AvgPool2d(3, 1, padding=1),
            GlobalAvg(),
            *head(6),
        ],
        "AvgPool2d(3, 2) (overlapping: 11→5), then AvgPool2d(3, 1, padding=1) and adaptive_avg_pool2d(1) (GlobalAveragePool of a pooled map)",
    ),
}


def shapes(model, side):
    """The map after every layer, as 'C×H×W' strings (for the recipe)."""
    x, out = torch.zeros(1, 1, side, side), []
    for layer in model:
        x = layer(x)
        out.append(f"{type(layer).__name__}: {'×'.join(str(d) for d in x.shape[1:])}")
    return out


def export(model, path, side, opset=OPSET):
    export_onnx(model.eval(), path, side, opset)


def fold_pad_arithmetic(path):
    """
    Replaces the pads input of every Pad by its value, and drops the nodes only it used. The
    TorchScript exporter writes nn.ZeroPad2d's pads as arithmetic on constants (ConstantOfShape,
    Concat, Reshape, Slice, Transpose, Reshape, Cast), every opset, with or without constant
    folding, and ann2snn's importer does not evaluate ConstantOfShape, Slice or Transpose; this is
    what onnx-simplifier does to such a file. Returns the ops it removed.
    """
    import onnx
    from onnx import numpy_helper
    from onnx.reference import ReferenceEvaluator

    model = onnx.load(path)
    graph = model.graph
    produced = {o: n for n in graph.node for o in n.output}

    def constant_cone(name, cone):
        node = produced.get(name)
        if node is None or node.name in cone:
            return
        cone[node.name] = node
        for i in node.input:
            if i == graph.input[0].name:
                raise ValueError(f"{name} depends on the input")
            if i:
                constant_cone(i, cone)

    removed = []
    for pad in [n for n in graph.node if n.op_type == "Pad"]:
        cone = {}
        constant_cone(pad.input[1], cone)
        sub = onnx.helper.make_graph(
            [n for n in graph.node if n.name in cone], "pads", [],
            [onnx.helper.make_tensor_value_info(pad.input[1], onnx.TensorProto.INT64, None)],
        )
        value = ReferenceEvaluator(onnx.helper.make_model(sub, opset_imports=model.opset_import)).run(None, {})[0]
        name = pad.name + "_pads"
        graph.initializer.append(numpy_helper.from_array(value.astype("int64"), name))
        pad.input[1] = name
        used = {i for n in graph.node if n.name not in cone for i in n.input}
        for n in [n for n in graph.node if n.name in cone and not any(o in used for o in n.output)]:
            removed.append(n.op_type)
            graph.node.remove(n)
    with atomic_output(path) as temporary:
        onnx.save(model, temporary)
    return removed


def versions():
    return {"torch": torch.__version__, "python": platform.python_version(), "opset": OPSET}


def export_cases(out, seed, log):
    os.makedirs(os.path.join(out, "pools"), exist_ok=True)
    for name, (layers, summary) in CASES.items():
        torch.manual_seed(seed)
        model = nn.Sequential(*layers())
        stem = os.path.join(out, "pools", name)
        recipe = {"name": name, "summary": summary, "input": [1, SIDE, SIDE], "shapes": shapes(model, SIDE)}
        export(model, stem + ".onnx", SIDE)
        recipe |= {"trained": False, "seed": seed, **versions(), "exportedOps": node_ops(stem + ".onnx")}
        if "Pad" in recipe["exportedOps"]:
            recipe["padArithmeticFolded"] = fold_pad_arithmetic(stem + ".onnx")
        recipe["onnxOps"] = node_ops(stem + ".onnx")
        x = torch.rand(16, 1, SIDE, SIDE, generator=torch.Generator().manual_seed(1))
        agree = (onnx_predictions(stem + ".onnx", x, batch=16) == predictions(model, x, batch=16)).float().mean().item()
        recipe["onnxRuntimeAgreesOn16RandomImages"] = agree
        write_json(stem + ".recipe.json", recipe)
        log(f"{stem}.onnx: {', '.join(recipe['onnxOps'])}; onnxruntime agrees with torch on {agree:.0%}")


RAW_OPSETS = (13, 17)


def export_raw(out, seed, log):
    """The tiny zero-pad net, raw at RAW_OPSETS and folded (from the last opset), one recipe for all."""
    os.makedirs(os.path.join(out, "pools"), exist_ok=True)
    torch.manual_seed(seed)
    model = nn.Sequential(nn.ZeroPad2d((1, 2, 0, 1)), nn.Conv2d(1, 3, 3, stride=2), nn.ReLU(), nn.Flatten(), nn.Linear(3 * 5 * 6, 5))
    stem = os.path.join(out, "pools", "zero-pad")
    x = torch.rand(16, 1, SIDE, SIDE, generator=torch.Generator().manual_seed(1))
    recipe = {
        "name": "zero-pad-raw",
        "summary": "ZeroPad2d((1, 2, 0, 1)) (11×11→12×14), Conv2d(1, 3, 3, stride 2) (→5×6), ReLU, Flatten, Linear(90, 5); untrained",
        "input": [1, SIDE, SIDE],
        "shapes": shapes(model, SIDE),
        "trained": False,
        "seed": seed,
        **{k: v for k, v in versions().items() if k != "opset"},
        "files": {},
    }
    for opset in RAW_OPSETS:
        path = f"{stem}-raw-opset{opset}.onnx"
        export(model, path, SIDE, opset)
        agree = (onnx_predictions(path, x, batch=16) == predictions(model, x, batch=16)).float().mean().item()
        recipe["files"][os.path.basename(path)] = {"opset": opset, "onnxOps": node_ops(path), "onnxRuntimeAgreesOn16RandomImages": agree}
        log(f"{path}: {', '.join(node_ops(path))}")
    folded = f"{stem}-folded.onnx"
    export(model, folded, SIDE, RAW_OPSETS[-1])
    removed = fold_pad_arithmetic(folded)
    agree = (onnx_predictions(folded, x, batch=16) == predictions(model, x, batch=16)).float().mean().item()
    recipe["files"][os.path.basename(folded)] = {
        "opset": RAW_OPSETS[-1],
        "padArithmeticFolded": removed,
        "onnxOps": node_ops(folded),
        "onnxRuntimeAgreesOn16RandomImages": agree,
    }
    write_json(f"{stem}-raw.recipe.json", recipe)
    log(f"{folded}: {', '.join(node_ops(folded))}")


def export_vgg(out, data, seed, epochs, limit, log):
    torch.manual_seed(seed)
    layers, cin = conv_stack([16, 16, "P", 32, 32, "P", 32, 32, "P"], "clip", nn.AvgPool2d)
    model = nn.Sequential(*layers, nn.Flatten(), nn.Linear(cin * 3 * 3, 10))
    xtrain, ytrain = load_split(data, "train")
    xte, yte = load_split(data, "t10k")
    xtr, ytr = xtrain[:limit], ytrain[:limit]
    name = "fmnist-clip-vgg-floorpool"
    log(f"{name}: {sum(p.numel() for p in model.parameters())} parameters, {epochs} epochs on {len(xtr)} images")
    start = time.time()
    history = train(model, xtr, ytr, epochs, 128, 2e-3, seed, log)
    seconds = time.time() - start
    fold_batchnorm(model.eval())
    stem = os.path.join(out, name)
    export(model, stem + ".onnx", 28)
    torch_pred = predictions(model, xte)
    onnx_pred = onnx_predictions(stem + ".onnx", xte)
    recipe = {
        "name": name,
        "architecture": "Conv16-BN-Clip ×2, AvgPool2, Conv32-BN-Clip ×2, AvgPool2, Conv32-BN-Clip ×2, AvgPool2 (7→3, floor mode), Flatten, Linear(288, 10); BatchNorm folded before export",
        "shapes": shapes(model, 28),
        "trained": True,
        "epochs": epochs,
        "trainImages": len(xtr),
        "batch": 128,
        "optimizer": "Adam, one-cycle lr (max 2e-3)",
        "seed": seed,
        "trainSeconds": round(seconds, 1),
        "history": history,
        **versions(),
        "onnxOps": node_ops(stem + ".onnx"),
        "testAccuracyTorch": (torch_pred == yte).float().mean().item(),
        "testAccuracyOnnxRuntime": (onnx_pred == yte).float().mean().item(),
        "testAccuracyOnnxRuntimeFirst500": (onnx_pred[:500] == yte[:500]).float().mean().item(),
        "predictionsDiffering": int((torch_pred != onnx_pred).sum().item()),
    }
    write_json(stem + ".recipe.json", recipe)
    log(f"{stem}.onnx: test accuracy {recipe['testAccuracyOnnxRuntime']:.4f} (torch {recipe['testAccuracyTorch']:.4f}), {seconds:.0f} s")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--only", choices=["cases", "raw", "vgg"], default=None)
    p.add_argument("--epochs", type=int, default=2)
    p.add_argument("--limit", type=int, default=20000, help="training images of the VGG (the first n)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--data", default=DEFAULT_DATA)
    p.add_argument("--out", default="models/pytorch")
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    log = lambda s: print(s, flush=True)
    if args.only in (None, "cases"):
        export_cases(args.out, args.seed, log)
    if args.only in (None, "raw"):
        export_raw(args.out, args.seed, log)
    if args.only in (None, "vgg"):
        export_vgg(args.out, args.data, args.seed, args.epochs, args.limit, log)


if __name__ == "__main__":
    main()
