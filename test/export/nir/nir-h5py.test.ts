/**
 * NIR files as the reference reader sees them: the `nir` Python package reads with h5py exactly as
 * below (nir/serialization.py: `node["type"][()] == b"IF"`, one `[()]` per field, edges as an (N, 2)
 * array of byte strings, `/version` a string). Needs Debian's h5py (apt-get install python3-h5py);
 * skipped, saying so, without it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { referenceBackend } from '../../../src/backend/reference/reference-backend.js';
import { writeNir } from '../../../src/export/nir/write-nir.js';
import { smallCnn, smallResidual } from '../../helpers/nets.js';
import { concatNet, converted } from './nets.js';

const python = ['/usr/bin/python3', 'python3'].find((p) => spawnSync(p, ['-c', 'import h5py'], { encoding: 'utf8' }).status === 0);
const skip = python ? false : 'h5py is not installed (apt-get install python3-h5py)';

/** Fields of each node type the nir reader reads (nir/serialization.py, read_node), with their dtypes. */
const READ = `
import sys, json, h5py, numpy as np
SPEC = {
  b"Input": {"shape": "i"}, b"Output": {"shape": "i"},
  b"Conv2d": {"input_shape": "i", "weight": "f", "stride": "i", "padding": "i", "dilation": "i", "groups": "i", "bias": "f"},
  b"Affine": {"weight": "f", "bias": "f"},
  b"SumPool2d": {"kernel_size": "i", "stride": "i", "padding": "i"},
  b"Flatten": {"start_dim": "i", "end_dim": "i", "input_type": "i"},
  b"IF": {"r": "f", "v_threshold": "f"},
}
out = []
for path in sys.argv[1:]:
    with h5py.File(path, "r") as f:
        version = f["version"][()]
        root = f["node"]
        assert root["type"][()] == b"NIRGraph", root["type"][()]
        edges = root["edges"][()]
        assert edges.ndim == 2 and edges.shape[1] == 2, edges.shape
        nodes = root["nodes"]
        counts = {}
        for name in nodes:
            node = nodes[name]
            kind = node["type"][()]
            assert kind in SPEC, (name, kind)
            fields = SPEC[kind]
            assert set(node.keys()) == {"type", *fields}, (name, sorted(node.keys()))
            for key, dtype in fields.items():
                value = node[key][()]
                assert np.asarray(value).dtype.kind == dtype, (name, key, np.asarray(value).dtype)
            if kind == b"IF":
                assert np.all(node["r"][()] == 1) and np.all(node["v_threshold"][()] == 1), name
                assert node["r"][()].shape == node["v_threshold"][()].shape, name
            counts[kind.decode()] = counts.get(kind.decode(), 0) + 1
        for a, b in edges:
            assert a.decode() in nodes and b.decode() in nodes, (a, b)
        meta = {k: v[()] for k, v in root["metadata"].items()}
        out.append({"version": version.decode(), "counts": counts, "reset": meta["reset"].decode()})
print(json.dumps(out))
`;

test('h5py reads every written NIR file the way the nir package does', { skip }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ann2snn-nir-h5py-'));
  const models = [
    (await converted(referenceBackend, smallCnn(3), [1, 8, 8])).model,
    (await converted(referenceBackend, smallResidual(42), [2, 6, 6], { strategy: 'max-norm', thresholdScope: 'channel' })).model,
    (await converted(referenceBackend, concatNet(43), [1, 6, 6], { readout: 'spikes', reset: 'hard' })).model,
  ];
  const files: string[] = [];
  for (const [i, model] of models.entries()) {
    const file = join(dir, `m${i}.nir`);
    writeFileSync(file, (await writeNir(model)).bytes);
    files.push(file);
  }
  const r = spawnSync(python!, ['-c', READ, ...files], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const read = JSON.parse(r.stdout) as { version: string; counts: Record<string, number>; reset: string }[];
  assert.deepEqual(
    read.map((x) => x.reset),
    ['soft', 'soft', 'hard'],
  );
  for (const x of read) {
    assert.match(x.version, /^\d+\.\d+\.\d+$/);
    assert.ok(x.counts.IF >= 2 && x.counts.Input === 1 && x.counts.Output === 1, JSON.stringify(x.counts));
  }
});
