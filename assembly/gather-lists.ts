// Gathered spike lists: the lists a linear op reads through a general pooling map (overlapping or
// padded average pools, floor or ceil mode, zero Pads, crops; src/simulate/event/spike-windows.ts).

/**
 * Per pixel q of the read grid (outW wide, outPixels in all), the entries of every spike of every
 * source pixel in q's part of the table, each through its copy of W′:
 *   for k in tableOff[q] … tableOff[q+1] − 1, (p, r) = taps[k]:  e = (r + (q mod outW)·cin + c)·rowBytes
 * for each channel c fired at source pixel p. A spike is listed once per read pixel that reads it;
 * the copy (first row r) carries its weight (1/|window| and the like), so gathering rows is exactly
 * the pooled map followed by the layer. Writes the read grid's CSR offsets at outOff.
 */
export function gatherLists(
  inIdx: usize,
  inOff: usize,
  outW: i32,
  outPixels: i32,
  cin: i32,
  rowBytes: i32,
  tableOff: usize,
  taps: usize,
  entries: usize,
  outOff: usize,
): void {
  let count: i32 = 0;
  store<i32>(outOff, 0);
  for (let q: i32 = 0; q < outPixels; q++) {
    const column = (q % outW) * cin;
    const last = load<i32>(tableOff + (<usize>(q + 1) << 2));
    for (let k = load<i32>(tableOff + (<usize>q << 2)); k < last; k++) {
      const tap = taps + (<usize>k << 3);
      const p = load<i32>(tap);
      const rows = load<i32>(tap, 4) + column;
      const end = load<i32>(inOff + (<usize>(p + 1) << 2));
      for (let j = load<i32>(inOff + (<usize>p << 2)); j < end; j++) {
        store<i32>(entries + (<usize>count << 2), (rows + load<i32>(inIdx + (<usize>j << 2))) * rowBytes);
        count++;
      }
    }
    store<i32>(outOff + (<usize>(q + 1) << 2), count);
  }
}
