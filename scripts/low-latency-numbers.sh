#!/bin/bash
# The README's "Deep, residual and MaxPool nets at low T" numbers: one `ann2snn report` per model,
# every applicable strategy and neuron kind compared in one run. Needs Fashion-MNIST
# (apt-get install dataset-fashion-mnist) and a built package (npm run build). Writes the reports'
# text to ${OUT:-low-latency}/ . About 1 h on a 2-core machine.
#   vgg-small QCFS is not committed (9 MB): rebuild it first with
#   npx ann2snn train --preset vgg-small --act qcfs --levels 4 --data fashion-mnist --limit 7000 --epochs 2 \
#     --optimizer adam --lr 1e-3 -o models/fmnist-vgg-small-qcfs4.onnx
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-low-latency}
mkdir -p "$OUT"
# Each report goes to a temporary file that is renamed when complete: an interrupted run leaves no partial report.
trap 'rm -f "$OUT"/.*.$$.tmp' EXIT
report() {
  local name=$1; shift; echo "== $name"
  node dist/cli/main.js report "$@" --data fashion-mnist --calib fashion-mnist --resets soft --error-images 0 > "$OUT/.$name.txt.$$.tmp"
  mv -f "$OUT/.$name.txt.$$.tmp" "$OUT/$name.txt"
}
report relu-cnn models/pytorch/fmnist-relu-cnn.onnx --strategies deng-gu:v0,calibrated@8,calibrated@16 --T 16
report relu-resnet models/pytorch/fmnist-relu-resnet.onnx --strategies deng-gu:v0,calibrated@8,calibrated@16 --T 16
report relu-resnet-signed models/pytorch/fmnist-relu-resnet.onnx --strategies calibrated@8,calibrated@16 --neurons signed --T 16 --limit 2000
report clip-vgg10 models/pytorch/fmnist-clip-vgg10.onnx --strategies deng-gu:v0,calibrated@16 --T 32
report maxpool-cnn models/pytorch/fmnist-maxpool-cnn.onnx --no-compare --T 32
report resnet20-qcfs models/fmnist-resnet20-qcfs4.onnx --strategy qcfs --strategies qcfs --neurons signed --T 32 --limit 2000
report resnet20-clip models/fmnist-resnet20-clip.onnx --strategies deng-gu:v0 --neurons signed --T 32 --limit 2000
report qcfs-cnn models/pytorch/fmnist-qcfs-cnn.onnx --strategy qcfs --no-compare --T 16 --limit 2000
if [ -f models/fmnist-vgg-small-qcfs4.onnx ]; then
  report vgg-small-qcfs models/fmnist-vgg-small-qcfs4.onnx --strategy qcfs --no-compare --T 16 --limit 2000
fi
