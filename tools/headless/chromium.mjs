// chromium.mjs — start Debian's headless Chromium and talk to it over the
// DevTools protocol on a pipe (--remote-debugging-pipe: JSON messages ended
// by a NUL byte on file descriptors 3 and 4).  No npm package: nothing here
// can download a browser.  The browser's own log goes to a file that is
// printed only when something goes wrong.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, openSync, closeSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

export class Browser {
  static async launch() {
    const b = new Browser();
    b.dir = mkdtempSync(join(tmpdir(), 'spotcheck-chromium.'));
    b.logPath = join(b.dir, 'chromium.log');
    const log = openSync(b.logPath, 'w');
    const args = [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--disable-default-apps', '--disable-extensions', '--no-default-browser-check',
      '--disable-background-timer-throttling', '--disable-renderer-backgrounding',
      '--disable-backgrounding-occluded-windows', '--hide-scrollbars', '--font-render-hinting=none',
      `--user-data-dir=${join(b.dir, 'profile')}`, '--remote-debugging-pipe', 'about:blank',
    ];
    b.proc = spawn(CHROMIUM, args, { stdio: ['ignore', log, log, 'pipe', 'pipe'] });
    closeSync(log);
    b.out = b.proc.stdio[3];
    b.next = 0;
    b.pending = new Map();
    b.listeners = new Map();            // sessionId -> [fn(method, params)]
    b.closed = false;
    let buf = Buffer.alloc(0);
    b.proc.stdio[4].on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      let i;
      while ((i = buf.indexOf(0)) >= 0) {
        const msg = JSON.parse(buf.subarray(0, i).toString('utf8'));
        buf = buf.subarray(i + 1);
        b.dispatch(msg);
      }
    });
    b.exited = new Promise((resolve) => b.proc.on('exit', (code, signal) => {
      b.closed = true;
      for (const [, p] of b.pending) p.reject(new Error(`chromium exited (${code ?? signal})`));
      b.pending.clear();
      resolve();
    }));
    try {
      await b.send('Browser.getVersion');
    } catch (e) {
      throw new Error(`${e.message}; its log:\n${b.log()}`);
    }
    return b;
  }

  dispatch(msg) {
    if (msg.id !== undefined) {
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (msg.error) p.reject(new Error(`${p.method}: ${msg.error.message}`));
      else p.resolve(msg.result);
      return;
    }
    for (const fn of this.listeners.get(msg.sessionId || '') || []) fn(msg.method, msg.params);
  }

  send(method, params = {}, sessionId) {
    if (this.closed) return Promise.reject(new Error('chromium is not running'));
    const id = ++this.next;
    const msg = { id, method, params };
    if (sessionId) msg.sessionId = sessionId;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, method });
      this.out.write(JSON.stringify(msg) + '\0');
    });
  }

  // A new tab; its events go to onEvent(method, params).
  async newPage(onEvent) {
    const { targetId } = await this.send('Target.createTarget', { url: 'about:blank' });
    const { sessionId } = await this.send('Target.attachToTarget', { targetId, flatten: true });
    this.listeners.set(sessionId, [onEvent]);
    const page = {
      targetId, sessionId,
      send: (method, params) => this.send(method, params, sessionId),
      close: async () => {
        this.listeners.delete(sessionId);
        await this.send('Target.closeTarget', { targetId }).catch(() => {});
      },
    };
    return page;
  }

  log() {
    try { return readFileSync(this.logPath, 'utf8'); } catch { return ''; }
  }

  async close() {
    if (!this.closed) {
      this.send('Browser.close').catch(() => {});
      const t = setTimeout(() => this.proc.kill('SIGKILL'), 5000);
      await this.exited;
      clearTimeout(t);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
