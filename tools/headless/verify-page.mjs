// verify-page.mjs — open the verification page in headless Chromium, hand it
// transcripts the way a person would, and print what the page shows.
//
//   node tools/headless/verify-page.mjs [options] JOB...
//
// A JOB is
//   page:PAGE.html     open a page as it is (one with an embedded transcript verifies itself)
//   file:T.json        open the blank page (--page) and choose T.json in its file chooser
//   drop:T.json        open the blank page and drop T.json on it
//   eval:SCRIPT.js     open the blank page and print what the script's last expression gives
//                      (a promise is awaited)
// Options: --page PAGE.html (the blank page), --timeout SECONDS (per job, default 120),
// --hash FRAGMENT (appended to the page's address, e.g. worker=no),
// --screenshot OUT.png (of each job's page when done; --width, default 1280;
// --height, to keep only the top of a long page),
// --open-report (open the plain-text report before the screenshot).
//
// For every job it prints a block of lines:
//   job: JOB                         state: passed|failed|refused|error|timeout
//   verdict: TEXT                    check: NAME STATUS DETAIL
//   expected: TEXT / found: TEXT     (under a failed check that names them)
//   refusal: TEXT                    report: LINE   (the plain-text report, line by line)
//   elapsed-ms: N (the page's own)   wall-ms: N (from handing over the transcript)
//   max-gap-ms: N (longest pause of the page's main thread while it worked)
//   phases: a,b,...  (progress steps seen by a timer)     selftest: true|false
//   shown-phases: a,b,...  (the progress steps the page displayed)
//   elements: N scripts, N images     selected: ["STRATUM","RANK","KEY"]  (rows of the selection table, as JSON)
//   console-errors: N, exceptions: N, network: N (requests other than file:, data:, blob:), dialogs: N
//   each followed by one line per error, exception, request or dialog; then "end".
// Exits 0 when every job ran (whatever the page concluded), 1 otherwise.
import { Browser } from './chromium.mjs';
import { resolve } from 'node:path';
import { readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const args = process.argv.slice(2);
const opt = { page: null, timeout: 120, hash: '', screenshot: null, width: 1280, height: 0, openReport: false };
const jobs = [];
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === '--page') opt.page = resolve(args[++i]);
  else if (a === '--timeout') opt.timeout = Number(args[++i]);
  else if (a === '--hash') opt.hash = args[++i];
  else if (a === '--screenshot') opt.screenshot = args[++i];
  else if (a === '--width') opt.width = Number(args[++i]);
  else if (a === '--height') opt.height = Number(args[++i]);
  else if (a === '--open-report') opt.openReport = true;
  else if (/^(page|file|drop|eval):/.test(a)) jobs.push(a);
  else { console.error(`verify-page: unknown argument ${a}`); process.exit(2); }
}
if (jobs.some((j) => !j.startsWith('page:')) && !opt.page) {
  console.error('verify-page: file:, drop: and eval: jobs need --page');
  process.exit(2);
}

// Records, from the first script of the page on, how long its main thread
// went without running a timer while it worked, and the progress steps shown.
const PROBE = `(() => {
  const p = window.__probe = { maxGap: 0, phases: [] };
  let last = performance.now();
  setInterval(() => {
    const now = performance.now(), gap = now - last;
    last = now;
    if (!document.body || document.body.dataset.state !== 'working') return;
    if (gap > p.maxGap) p.maxGap = gap;
    const ph = document.getElementById('phase');
    if (ph && ph.dataset.phase && p.phases[p.phases.length - 1] !== ph.dataset.phase) p.phases.push(ph.dataset.phase);
  }, 5);
})();`;

// What the page shows, read from its DOM.
const READ = `(() => {
  const q = (s) => document.querySelector(s);
  const text = (e) => (e ? e.textContent.replace(/\\s+/g, ' ').trim() : '');
  return JSON.stringify({
    state: document.body.dataset.state,
    verdict: text(q('#verdict')),
    refusal: q('#verdict').dataset.refusal || '',
    checks: [...document.querySelectorAll('#checks li')].map((li) => ({
      name: li.dataset.check, status: li.dataset.status,
      detail: text(li.querySelector('.detail p.en')),
      expected: text(li.querySelector('.expected')), found: text(li.querySelector('.found')),
      badge: text(li.querySelector('.badge')), label: text(li.querySelector('.check-name')),
    })),
    report: q('#report').textContent,
    elapsed: q('#elapsed').dataset.ms || '',
    selftest: q('#selftest').dataset.ok || '',
    probe: window.__probe || null,
    shown: document.getElementById('progress-box').dataset.shown || '',
    scripts: document.scripts.length, images: document.images.length,
    selected: [...document.querySelectorAll('#selection tr')].slice(1).map((tr) => [...tr.cells].slice(0, 3).map((td) => td.textContent)),
  });
})()`;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const one = (s) => String(s).replace(/\s+/g, ' ').trim();

async function runJob(browser, job, index) {
  const [mode, ...rest] = job.split(':');
  const arg = resolve(rest.join(':'));
  const consoleErrors = [], exceptions = [], network = [], dialogs = [];
  let loaded = null;
  const loadedP = new Promise((r) => { loaded = r; });
  const page = await browser.newPage((method, p) => {
    if (method === 'Runtime.consoleAPICalled' && (p.type === 'error' || p.type === 'assert'))
      consoleErrors.push(p.args.map((a) => a.value ?? a.description ?? '').join(' '));
    else if (method === 'Runtime.exceptionThrown')
      exceptions.push(p.exceptionDetails.exception?.description || p.exceptionDetails.text);
    else if (method === 'Log.entryAdded' && p.entry.level === 'error')
      consoleErrors.push(`${p.entry.source}: ${p.entry.text}`);
    else if (method === 'Network.requestWillBeSent' && !/^(file|data|blob):/.test(p.request.url))
      network.push(p.request.url);
    else if (method === 'Page.loadEventFired') loaded();
    else if (method === 'Page.javascriptDialogOpening') {
      dialogs.push(p.message);
      page.send('Page.handleJavaScriptDialog', { accept: true }).catch(() => {});
    }
  });
  const out = [`job: ${job}`];
  try {
    await page.send('Page.enable');
    await page.send('Runtime.enable');
    await page.send('Log.enable');
    await page.send('Network.enable');
    await page.send('DOM.enable');
    await page.send('Emulation.setDeviceMetricsOverride', { width: opt.width, height: 900, deviceScaleFactor: 1, mobile: false });
    await page.send('Page.addScriptToEvaluateOnNewDocument', { source: PROBE });
    const target = mode === 'page' ? arg : opt.page;
    const url = pathToFileURL(target).href + (opt.hash ? '#' + opt.hash : '');
    let t0 = Date.now();
    await page.send('Page.navigate', { url });
    await loadedP;
    if (mode === 'eval') {
      const r = await page.send('Runtime.evaluate', { expression: readFileSync(arg, 'utf8'), awaitPromise: true, returnByValue: true });
      if (r.exceptionDetails) exceptions.push(r.exceptionDetails.exception?.description || r.exceptionDetails.text);
      else out.push(...String(r.result.value).split('\n').map((l) => `eval: ${l}`));
    } else {
      if (mode === 'file' || mode === 'drop') {
        const { root } = await page.send('DOM.getDocument');
        if (mode === 'file') {
          const { nodeId } = await page.send('DOM.querySelector', { nodeId: root.nodeId, selector: '#file' });
          t0 = Date.now();
          await page.send('DOM.setFileInputFiles', { nodeId, files: [arg] });
        } else {
          const { nodeId } = await page.send('DOM.querySelector', { nodeId: root.nodeId, selector: '#drop' });
          const { model } = await page.send('DOM.getBoxModel', { nodeId });
          const x = (model.content[0] + model.content[4]) / 2, y = (model.content[1] + model.content[5]) / 2;
          const data = { items: [], files: [arg], dragOperationsMask: 1 };
          t0 = Date.now();
          for (const type of ['dragEnter', 'dragOver', 'drop'])
            await page.send('Input.dispatchDragEvent', { type, x, y, data });
        }
      }
      // a page with nothing embedded waits for a person: nothing to wait for
      const empty = mode === 'page' && (await page.send('Runtime.evaluate', {
        expression: 'document.getElementById("spotcheck-transcript").textContent.trim() === ""', returnByValue: true,
      })).result.value;
      const deadline = empty ? 0 : Date.now() + opt.timeout * 1000;
      let seen;
      for (;;) {
        const r = await page.send('Runtime.evaluate', { expression: 'document.body ? document.body.dataset.state : ""', returnByValue: true });
        seen = r.result.value;
        if (seen && seen !== 'idle' && seen !== 'working') break;
        if (Date.now() > deadline) break;
        await sleep(mode === 'page' && seen === '' ? 20 : 25);
      }
      const wall = Date.now() - t0;
      const r = JSON.parse((await page.send('Runtime.evaluate', { expression: READ, returnByValue: true })).result.value);
      out.push(`state: ${(seen === 'idle' && !empty) || seen === 'working' ? 'timeout' : r.state}`);
      out.push(`verdict: ${r.verdict}`);
      for (const c of r.checks) {
        out.push(`check: ${c.name} ${c.status} ${c.detail}`);
        out.push(`label: ${c.name} ${c.badge} | ${c.label}`);
        if (c.expected || c.found) out.push(`expected: ${c.expected}`, `found: ${c.found}`);
      }
      if (r.refusal) out.push(`refusal: ${r.refusal}`);
      for (const l of r.report.split('\n')) if (l) out.push(`report: ${l}`);
      out.push(`elapsed-ms: ${r.elapsed}`, `wall-ms: ${wall}`);
      out.push(`max-gap-ms: ${r.probe ? Math.round(r.probe.maxGap) : ''}`, `phases: ${r.probe ? r.probe.phases.join(',') : ''}`);
      out.push(`shown-phases: ${r.shown}`, `selftest: ${r.selftest}`, `elements: ${r.scripts} scripts, ${r.images} images`);
      for (const [stratum, rank, key] of r.selected) out.push(`selected: ${JSON.stringify([stratum, rank, key])}`);
      if (opt.screenshot) {
        if (opt.openReport) await page.send('Runtime.evaluate', { expression: 'document.getElementById("report-box").open = true' });
        const m = await page.send('Page.getLayoutMetrics');
        const h = Math.min(Math.ceil(m.cssContentSize.height), opt.height || Infinity);
        const shot = await page.send('Page.captureScreenshot', {
          format: 'png', captureBeyondViewport: true, clip: { x: 0, y: 0, width: opt.width, height: h, scale: 1 },
        });
        const path = jobs.length > 1 ? opt.screenshot.replace(/(\.png)?$/, `-${index + 1}.png`) : opt.screenshot;
        writeFileSync(path, Buffer.from(shot.data, 'base64'));
        out.push(`screenshot: ${path} ${opt.width}x${h}`);
      }
    }
    await sleep(50);        // let late console messages arrive
  } finally {
    out.push(`console-errors: ${consoleErrors.length}`, ...consoleErrors.map((e) => `console: ${one(e)}`));
    out.push(`exceptions: ${exceptions.length}`, ...exceptions.map((e) => `exception: ${one(e)}`));
    out.push(`network: ${network.length}`, ...network.map((u) => `request: ${u}`));
    out.push(`dialogs: ${dialogs.length}`, ...dialogs.map((d) => `dialog: ${one(d)}`));
    out.push('end');
    process.stdout.write(out.join('\n') + '\n');
    await page.close();
  }
}

const browser = await Browser.launch();
let status = 0;
try {
  for (let i = 0; i < jobs.length; i++) {
    try {
      await runJob(browser, jobs[i], i);
    } catch (e) {
      status = 1;
      console.error(`verify-page: ${jobs[i]}: ${e.message}`);
      if (browser.closed) { console.error(browser.log()); break; }
    }
  }
} finally {
  await browser.close();
}
process.exit(status);
