// Starts a real `kuimen serve` on a fresh data directory and an ephemeral
// port, for the dashboard's browser tests; talks to its API as a client would.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

async function waitFor(what, probe, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function readJson(file) {
  try { return JSON.parse(await readFile(file, 'utf8')); } catch { return null; }
}

export class KuimenServer {
  // binary: KUIMEN_BIN or build/kuimen. The server runs from the repo root, so
  // it serves the dashboard from gateway/web/ as `kuimen serve` does there.
  static async start({ binary = process.env.KUIMEN_BIN || path.join(repoRoot, 'build/kuimen') } = {}) {
    if (!existsSync(binary)) throw new Error(`${binary} does not exist: build it first (bash ops/setup.sh)`);
    const dataDir = await mkdtemp(path.join(tmpdir(), 'kuimen-dashboard-'));
    const extra = (process.env.KUIMEN_SERVE_ARGS || '').split(' ').filter(Boolean);
    const child = spawn(binary, ['serve', '--data', dataDir, '--listen', '127.0.0.1:0', ...extra], {
      cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'],
    });
    const server = new KuimenServer(child, dataDir);
    child.stdout.on('data', (chunk) => { server.log += chunk; });
    child.stderr.on('data', (chunk) => { server.log += chunk; });
    child.on('exit', (code, signal) => { server.exited = { code, signal }; });
    try {
      const info = await waitFor('server.json', async () => {
        if (server.exited) throw new Error(`kuimen serve exited (${JSON.stringify(server.exited)}):\n${server.log}`);
        return readJson(path.join(dataDir, 'server.json'));
      }, 60000);
      server.base = `http://${info.listen}`;
      server.adminToken = (await waitFor('admin.token', async () => {
        try { return (await readFile(path.join(dataDir, 'admin.token'), 'utf8')).trim(); } catch { return null; }
      }, 10000));
      await waitFor('/healthz', async () => {
        try { return (await fetch(`${server.base}/healthz`)).ok; } catch { return false; }
      }, 30000);
      const page = await fetch(`${server.base}/`);
      if (!page.ok || !(await page.text()).includes('夔门督办')) {
        throw new Error(`kuimen serve does not serve the dashboard at ${server.base}/ (HTTP ${page.status}): ` +
                        'it should serve gateway/web/, with vendor/ filled by `npm run vendor`');
      }
      for (const file of ['vendor/alpine.esm.min.js', 'vendor/echarts.min.js']) {
        const vendor = await fetch(`${server.base}/${file}`);
        await vendor.arrayBuffer();
        if (!vendor.ok) throw new Error(`${server.base}/${file}: HTTP ${vendor.status}; run \`npm ci && npm run vendor\` (ops/setup.sh does)`);
      }
    } catch (e) {
      await server.stop();
      throw e;
    }
    return server;
  }

  constructor(child, dataDir) {
    this.child = child;
    this.dataDir = dataDir;
    this.log = '';
    this.exited = null;
  }

  async api(token, route, { method = 'GET', body } = {}) {
    const headers = { Authorization: `Bearer ${token}` };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const response = await fetch(`${this.base}${route}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const json = await response.json().catch(() => null);
    if (!response.ok) throw new Error(`${method} ${route}: ${response.status} ${JSON.stringify(json)}`);
    return json;
  }

  async principal(name, role, unit) {
    const body = { name, role };
    if (unit) body.unit = unit;
    return this.api(this.adminToken, '/api/v1/principals', { method: 'POST', body });
  }

  async stop() {
    if (!this.exited) {
      const exited = new Promise((resolve) => this.child.once('exit', resolve));
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 15000);
      await exited;
      clearTimeout(timer);
    }
    await rm(this.dataDir, { recursive: true, force: true });
  }
}
