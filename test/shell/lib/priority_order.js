// Evaluated in the verification page by verify_web.sh: the page's priority
// order (16-bit limbs) against the definition computed here with BigInt,
// (r_a + 1) * w_b < (r_b + 1) * w_a, on the extreme values of r (0, 1,
// 2^32 - 1, 2^32, 2^63, 2^64 - 2, 2^64 - 1) and of w (1, 2, 2^16 - 1, 2^16,
// 2^31, 2^32 - 1), on products that tie, and on random candidates.
(() => {
  let seed = 7;
  const rnd32 = () => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return seed; };
  const R = [0n, 1n, 0xffffffffn, 0x100000000n, 1n << 63n, (1n << 64n) - 2n, (1n << 64n) - 1n, 0xfffffffffffen, 12345678901234567n];
  const Wt = [1, 2, 0xffff, 0x10000, 0x80000000, 0xffffffff, 3, 7];
  const cands = [];
  for (const r of R) for (const w of Wt) cands.push([r, w]);
  // ties: (r + 1) * w equal for different (r, w)
  cands.push([5n, 6], [11n, 3], [2n * 0xffffffffn - 1n, 1], [1n, 0xffffffff], [(1n << 33n) - 1n, 2], [(1n << 34n) - 1n, 1]);
  for (let i = 0; i < 4000; i++) {
    const r = (BigInt(rnd32()) << 32n) | BigInt(rnd32() >>> (rnd32() % 32));
    const w = [rnd32() || 1, 1 + (rnd32() % 1000), 1 + (rnd32() % 7)][i % 3];
    cands.push([i % 5 === 0 ? r >> BigInt(rnd32() % 64) : r, w]);
  }
  const n = cands.length, tk = new Int32Array(8 * n), weights = [], kk = [];
  cands.forEach(([r, w], i) => {
    tk[8 * i] = Number(r >> 32n) | 0;
    tk[8 * i + 1] = Number(r & 0xffffffffn) | 0;
    for (let k = 2; k < 8; k++) tk[8 * i + k] = rnd32() | 0;
    weights.push(w);
    kk.push('k' + i);
  });
  const page = SC.priorityOrder(tk, weights, kk);
  const u = (x) => BigInt(x >>> 0);
  const ref = (i, j) => {
    const l = (cands[i][0] + 1n) * BigInt(cands[j][1]), r = (cands[j][0] + 1n) * BigInt(cands[i][1]);
    if (l !== r) return l < r ? -1 : 1;
    for (let k = 0; k < 8; k++) if (tk[8 * i + k] !== tk[8 * j + k]) return u(tk[8 * i + k]) < u(tk[8 * j + k]) ? -1 : 1;
    return kk[i] < kk[j] ? -1 : kk[i] > kk[j] ? 1 : 0;
  };
  let pairs = 0, agree = 0;
  const check = (i, j) => { pairs++; if (Math.sign(page(i, j)) === ref(i, j)) agree++; };
  for (let i = 0; i < 80; i++) for (let j = 0; j < 80; j++) check(i, j);
  for (let t = 0; t < 200000; t++) check(rnd32() % n, rnd32() % n);
  return `pairs ${pairs}\nagree ${agree}`;
})()
