// AssemblyScript source of the event-driven simulation kernels (compiled to build/event-kernels.wasm
// by `npm run build:wasm`, which `npm ci` runs through `prepare`). Raw linear memory, no runtime:
// the host lays out every buffer and passes byte offsets.
//
// Spikes of one image and one step are a CSR list per pixel of a channels-last map:
//   channels firing at pixel p = idx[off[p]] … idx[off[p+1] − 1]        (i32 each)
// Before synapses read them, the channels become entries: byte offsets of their weight rows relative
// to the row of their image column, e = (x·cin + c)·rowBytes (`entryLists`, `poolLists`). The row of
// W'[ky, kx, c] for output column ox is then base(ky, ox) + e with base(ky, ox) = W' + (ky·kw + pad −
// ox·s)·cin·rowBytes, for every kx at once: the kw pixels of one kernel row are adjacent in the CSR,
// so each kernel row is one contiguous run of entries.
// Weights are [kh][kw][cin][coutPad] (cout padded to a multiple of 32), θ is padded with +∞ so the
// padding units never fire.
//
// This file is the module's entry: it re-exports the kernels, by kind — conv.ts and dense.ts
// (synapses fused with the neurons), fire.ts (the neurons), lists.ts (spike lists), gather-lists.ts
// (spike lists read through a general pooling map), max-pool.ts (exact max pooling of spike lists);
// common.ts holds the reserved memory and what the kernels share.

export { convStep, convStepI8 } from './conv';
export { denseStep, denseStepI8 } from './dense';
export { burst, constantStep, init } from './fire';
export { gatherLists } from './gather-lists';
export { bernoulliStep, entryLists, poolLists } from './lists';
export { maxPoolStep } from './max-pool';
