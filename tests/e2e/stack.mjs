// The end-to-end stack: the WAHA simulator plus the built worker (build/index.js) running in
// workerd through Miniflare, with a real local KV namespace. Loopback only.
import { Miniflare } from 'miniflare';
import { fileURLToPath } from 'node:url';
import { startSimulator } from '../../sim/waha-sim.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** The client key every test stack accepts (all sessions). */
export const CLIENT_KEY = 'test-client-key-0123456789';
/** A client key restricted to the session `sales`. */
export const SALES_KEY = 'sales-only-key-0123456789';
/** A client key that may only read (every session): `API_KEYS` entry `<key>:*:read`. */
export const READ_KEY = 'read-only-key-0123456789';
/** The simulator's upstream key (what the worker must send as X-Api-Key). */
export const UPSTREAM_KEY = 'test-upstream-key-secret-42';
/** The browser test origin (wasm-bindgen-test-runner's address in scripts/with-stack.mjs). */
export const TEST_ORIGIN = 'http://127.0.0.1:8799';

/**
 * Starts the simulator and the worker. `vars` override the worker's settings; `kv: false` leaves
 * the rate-limit KV binding out (a store failure); `port` fixes the worker's port.
 * `script` runs another module worker instead of build/index.js (a path from the repository root,
 * e.g. a test fixture) with the same bindings. `captureLogs: true` collects the worker's console
 * lines in `stack.logs` (instead of printing them); JSON lines are parsed. `trustedCertificates`
 * (PEM strings) are trusted by the worker's outbound TLS besides the usual CAs (for a test's own
 * https server). `isolates: n` runs n copies of the worker, each its own isolate, on one shared KV
 * namespace; `stack.callOn(i, path, init)` calls copy i (0 is the one at `stack.url`).
 */
export async function startStack({
  vars = {}, kv = true, port = 0, simPort = 0, upstreamUrl, script = 'build/index.js', captureLogs = false,
  trustedCertificates, isolates = 1,
} = {}) {
  const sim = await startSimulator({ port: simPort, apiKey: UPSTREAM_KEY });
  /** `{level, message, json}` per console line of the worker, oldest first (with `captureLogs`). */
  const logs = [];
  const capture = captureLogs
    ? {
      handleStructuredLogs({ level, message }) {
        let json;
        try {
          json = JSON.parse(message);
        } catch {
          json = undefined;
        }
        logs.push({ level, message, json });
      },
    }
    : {};
  const worker = {
    scriptPath: script.startsWith('/') ? script : `${root}${script}`,
    modules: true,
    modulesRules: [{ type: 'CompiledWasm', include: ['**/*.wasm'] }],
    compatibilityDate: '2026-08-01',
    kvNamespaces: kv ? { GROUPGATE_KV: 'GROUPGATE_KV' } : [],
    bindings: {
      UPSTREAM_URL: upstreamUrl ?? sim.url,
      UPSTREAM_API_KEY: UPSTREAM_KEY,
      API_KEYS: `${CLIENT_KEY},${SALES_KEY}:sales,${READ_KEY}:*:read`,
      ALLOWED_ORIGINS: TEST_ORIGIN,
      ...vars,
    },
    ...(trustedCertificates && {
      // Miniflare's own outbound network, with the test's certificates trusted too.
      outboundService: {
        network: { allow: ['public', 'private', '240.0.0.0/4'], tlsOptions: { trustBrowserCas: true, trustedCertificates } },
      },
    }),
  };
  const names = Array.from({ length: isolates }, (_, i) => `groupgate-${i}`);
  const mf = new Miniflare({
    host: '127.0.0.1',
    port,
    ...capture,
    ...(isolates === 1 ? worker : { workers: names.map((name) => ({ name, ...worker })) }),
  });
  const url = String(await mf.ready).replace(/\/$/, '');
  return {
    url,
    sim,
    mf,
    logs,
    /**
     * The worker's request log line (parsed) for `requestId` (a response's X-Request-Id); waits
     * for it, since log lines arrive asynchronously. Needs `captureLogs: true`.
     */
    async logLine(requestId, timeoutMs = 3000) {
      if (!captureLogs) throw new Error('startStack: logLine needs captureLogs: true');
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const line = logs.find((l) => l.json?.requestId === requestId && 'status' in l.json);
        if (line) return line.json;
        if (Date.now() > deadline) throw new Error(`no log line for request ${requestId} within ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    /** Fetches a path on the worker with the test client key unless `headers` say otherwise. */
    call(path, { method = 'GET', body, headers = {} } = {}) {
      const h = { 'x-api-key': CLIENT_KEY, ...headers };
      if (body !== undefined && typeof body !== 'string') h['content-type'] ??= 'application/json';
      return fetch(url + path, { method, headers: h, body: typeof body === 'string' || body === undefined ? body : JSON.stringify(body) });
    },
    /** Calls worker copy `index` (see `isolates`) with the test client key unless `headers` say otherwise. */
    async callOn(index, path, { method = 'GET', body, headers = {} } = {}) {
      const target = index === 0 ? { fetch } : await mf.getWorker(names[index]);
      const h = { 'x-api-key': CLIENT_KEY, ...headers };
      if (body !== undefined) h['content-type'] ??= 'application/json';
      return target.fetch(url + path, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body) });
    },
    /** What the simulator received, oldest first. */
    async received() {
      return (await fetch(`${sim.url}/__sim/requests`)).json();
    },
    async clearReceived() {
      await fetch(`${sim.url}/__sim/requests`, { method: 'DELETE' });
    },
    async fault(spec) {
      await fetch(`${sim.url}/__sim/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(spec) });
    },
    async clearFaults() {
      await fetch(`${sim.url}/__sim/faults`, { method: 'DELETE' });
    },
    async close() {
      await mf.dispose();
      await sim.close();
    },
  };
}
