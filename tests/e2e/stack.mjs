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
/** The simulator's upstream key (what the worker must send as X-Api-Key). */
export const UPSTREAM_KEY = 'test-upstream-key-secret-42';
/** The browser test origin (wasm-bindgen-test-runner's address in scripts/with-stack.mjs). */
export const TEST_ORIGIN = 'http://127.0.0.1:8799';

/**
 * Starts the simulator and the worker. `vars` override the worker's settings; `kv: false` leaves
 * the rate-limit KV binding out (a store failure); `port` fixes the worker's port.
 */
export async function startStack({ vars = {}, kv = true, port = 0, simPort = 0, upstreamUrl } = {}) {
  const sim = await startSimulator({ port: simPort, apiKey: UPSTREAM_KEY });
  const mf = new Miniflare({
    host: '127.0.0.1',
    port,
    scriptPath: `${root}build/index.js`,
    modules: true,
    modulesRules: [{ type: 'CompiledWasm', include: ['**/*.wasm'] }],
    compatibilityDate: '2026-08-01',
    kvNamespaces: kv ? ['GROUPGATE_KV'] : [],
    bindings: {
      UPSTREAM_URL: upstreamUrl ?? sim.url,
      UPSTREAM_API_KEY: UPSTREAM_KEY,
      API_KEYS: `${CLIENT_KEY},${SALES_KEY}:sales`,
      ALLOWED_ORIGINS: TEST_ORIGIN,
      ...vars,
    },
  });
  const url = String(await mf.ready).replace(/\/$/, '');
  return {
    url,
    sim,
    mf,
    /** Fetches a path on the worker with the test client key unless `headers` say otherwise. */
    call(path, { method = 'GET', body, headers = {} } = {}) {
      const h = { 'x-api-key': CLIENT_KEY, ...headers };
      if (body !== undefined && typeof body !== 'string') h['content-type'] ??= 'application/json';
      return fetch(url + path, { method, headers: h, body: typeof body === 'string' || body === undefined ? body : JSON.stringify(body) });
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
