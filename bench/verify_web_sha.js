// Evaluated in the verification page by bench/verify_web.sh (the page's core
// is SC): every ticket of a draw of N candidates computed three ways, timed,
// and checked to agree bit for bit:
//   midstate   the page's own SHA-256, one compression per ticket from the
//              64-byte prefix hashed once (what the page does)
//   whole      the page's own SHA-256 over the whole message each time
//   webcrypto  the browser's crypto.subtle.digest, one promise per ticket,
//              all in flight at once
// Keys are 18 characters, the length of a unified social credit code.
(async () => {
  const n = Number(globalThis.BENCH_N || 100000);
  const seed = SC.sha256(SC.utf8('bench seed'));
  const keys = [];
  for (let i = 0; i < n; i++) keys.push(SC.utf8('9137' + (i * 2654435761 % 1e14).toString(16).toUpperCase().padStart(14, '0')));
  const prefix = new Uint8Array(64);
  prefix.set(SC.TAG_TICKET);
  prefix.set(seed, 32);
  const runs = {};
  const time = async (name, fn) => {
    const t0 = performance.now();
    const r = await fn();
    runs[name] = performance.now() - t0;
    return r;
  };
  const mid = await time('midstate', () => {
    const m = SC.ticketMidstate(seed), out = new Int32Array(n * 8);
    for (let i = 0; i < n; i++) SC.ticketInto(m, keys[i], keys[i].length, out, 8 * i);
    return out;
  });
  const whole = await time('whole', () => keys.map((k) => SC.hex(SC.sha256(prefix, k))));
  const wc = await time('webcrypto', () => Promise.all(keys.map((k) => {
    const m = new Uint8Array(64 + k.length);
    m.set(prefix);
    m.set(k, 64);
    return crypto.subtle.digest('SHA-256', m);
  })));
  let agree = 0;
  for (let i = 0; i < n; i++) {
    const a = SC.wordsHex(mid, 8 * i);
    if (a === whole[i] && a === SC.hex(new Uint8Array(wc[i]))) agree++;
  }
  return [`tickets ${n}`, `agree ${agree}`,
          ...Object.entries(runs).map(([k, v]) => `${k} ${v.toFixed(1)}`)].join('\n');
})()
