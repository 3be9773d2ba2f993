# A PyTorch CNN with Conv → BN → ReLU → MaxPool(2) blocks (plain ReLU, no retraining for the SNN),
# trained on Fashion-MNIST (pixels / 255) and exported to ONNX (BatchNorm folded by the export), for
# the exact spiking max pool: models/fmnist-pt-maxpool.onnx was made with PyTorch 2.13 (CPU) by
#   python3 scripts/pytorch-maxpool-cnn.py 3 models/fmnist-pt-maxpool.onnx
# Needs torch and numpy, and Fashion-MNIST at /usr/share/datasets/fashion-mnist (dataset-fashion-mnist).
import gzip, sys, time, numpy as np, torch, torch.nn as nn
torch.manual_seed(0); torch.set_num_threads(2)
root = '/usr/share/datasets/fashion-mnist/'
def idx(name, offset):
    with gzip.open(root + name) as f: return np.frombuffer(f.read(), np.uint8, offset=offset)
xtr = torch.tensor(idx('train-images-idx3-ubyte.gz', 16).reshape(-1, 1, 28, 28) / 255.0, dtype=torch.float32)
ytr = torch.tensor(idx('train-labels-idx1-ubyte.gz', 8).astype(np.int64))
xte = torch.tensor(idx('t10k-images-idx3-ubyte.gz', 16).reshape(-1, 1, 28, 28) / 255.0, dtype=torch.float32)
yte = torch.tensor(idx('t10k-labels-idx1-ubyte.gz', 8).astype(np.int64))
def block(i, o): return [nn.Conv2d(i, o, 3, padding=1), nn.BatchNorm2d(o), nn.ReLU(), nn.MaxPool2d(2)]
m = nn.Sequential(*block(1, 16), *block(16, 32), nn.Flatten(), nn.Linear(32 * 7 * 7, 10))
epochs = int(sys.argv[1]) if len(sys.argv) > 1 else 3
out = sys.argv[2] if len(sys.argv) > 2 else 'fmnist-pt-maxpool.onnx'
opt = torch.optim.Adam(m.parameters(), 1e-3)
sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, epochs * (60000 // 128 + 1))
for e in range(epochs):
    m.train(); t0 = time.time(); perm = torch.randperm(60000)
    for i in range(0, 60000, 128):
        b = perm[i:i + 128]; opt.zero_grad(); loss = nn.functional.cross_entropy(m(xtr[b]), ytr[b]); loss.backward(); opt.step(); sched.step()
    m.eval()
    with torch.no_grad(): acc = (m(xte).argmax(1) == yte).float().mean().item()
    print(f'epoch {e + 1}: test {acc:.4f} ({time.time() - t0:.0f} s)', flush=True)
torch.onnx.export(m, torch.zeros(1, 1, 28, 28), out, input_names=['input'], output_names=['logits'],
                  dynamic_axes={'input': {0: 'N'}, 'logits': {0: 'N'}}, opset_version=13, dynamo=False)
print('exported')
