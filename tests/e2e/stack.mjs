// The end-to-end stack: the WAHA simulator plus the built worker (build/index.js) running in
// workerd through Miniflare, with a real local KV namespace and Durable Objects. Loopback only.
import { Miniflare, fetch as miniflareFetch, Response as MiniflareResponse } from 'miniflare';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { startSimulator } from '../../sim/waha-sim.mjs';
import { recordLog, recordSecrets, recorded, watchWorker } from './record.mjs';

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

/** Binding names whose values are secrets (besides the keys inside `API_KEYS`). */
const SECRET_BINDINGS = ['UPSTREAM_API_KEY', 'WEBHOOK_HMAC_KEY', 'WEBHOOK_FORWARD_HMAC_KEY'];

/** Every secret among a stack's bindings: the secret ones, and each key of `API_KEYS`. */
function configuredSecrets(bindings) {
  const keys = String(bindings.API_KEYS ?? '').split(',').map((entry) => entry.split(':')[0].trim());
  return [...SECRET_BINDINGS.map((name) => bindings[name]), ...keys].filter((value) => typeof value === 'string' && value !== '');
}

/** A `call(path, {method, body, headers})` on the worker at `base`, with the test client key. */
function caller(base) {
  return (path, { method = 'GET', body, headers = {} } = {}) => {
    const h = { 'x-api-key': CLIENT_KEY, ...headers };
    if (body !== undefined && typeof body !== 'string') h['content-type'] ??= 'application/json';
    return fetch(base + path, { method, headers: h, body: typeof body === 'string' || body === undefined ? body : JSON.stringify(body) });
  };
}

/** workerd, as the miniflare package runs it. */
const workerdBin = createRequire(createRequire(import.meta.url).resolve('miniflare'))('workerd').default;

/**
 * The `unsafeRuntimeEnv` that appends workerd's standard output to `file`: workerd is then started
 * through bench/workerd-output.sh. Miniflare takes the program it starts from this process's
 * environment, so that is set once, for every stack started from then on; the wrapper runs workerd
 * as it is for a stack that names no file.
 */
function outputTo(file) {
  process.env.MINIFLARE_WORKERD_PATH = `${root}bench/workerd-output.sh`;
  process.env.GROUPGATE_WORKERD_BIN = workerdBin;
  return { GROUPGATE_WORKERD_OUTPUT: file };
}

/**
 * Starts the simulator and the worker. `vars` override the worker's settings; `kv: false` leaves
 * the rate-limit KV binding out (a store failure); `port` fixes the worker's port.
 * `script` runs another module worker instead of build/index.js (a path from the repository root,
 * e.g. a test fixture) with the same bindings. `captureLogs: true` collects the worker's console
 * lines in `stack.logs` (instead of printing them); JSON lines are parsed. Responses, console lines
 * and configured secrets are also recorded for the secrets scan (record.mjs).
 * `instances: n` runs the worker n times, as n isolates sharing one KV namespace and one Durable
 * Object namespace (`stack.instances[i].call`, each on its own loopback port; `stack.call` is the
 * first). `quotaObjects` binds `GROUPGATE_QUOTAS` to the script's `QuotaObject` class (default: for
 * build/index.js; `false` leaves the binding out, a Durable Object that cannot be reached).
 * `inspectorPort` opens workerd's inspector (V8 DevTools protocol) on that loopback port (0: any).
 * `loopbackOnly: true` answers every outbound fetch of the worker to a host other than 127.0.0.1
 * with a 503 itself (no DNS lookup, no connection): for generated inputs such as picture URLs.
 * `kvPersist` keeps the KV namespace in that directory, so stacks started one after another (a
 * redeploy with other settings) share it. `outputFile` (benchmarks) appends workerd's standard
 * output, the worker's console lines, to that file instead (bench/workerd-output.sh): `logs` then
 * stays empty. `directSocket: true` also serves the worker on a socket of its own
 * (`stack.directUrl`), without Miniflare's entry worker in front of it, as `instances` does.
 */
export async function startStack({
  vars = {}, kv = true, port = 0, simPort = 0, upstreamUrl, script = 'build/index.js', captureLogs = false,
  instances = 1, quotaObjects = script === 'build/index.js', trustedCertificates, assets = false, inspectorPort,
  loopbackOnly = false, kvPersist, outputFile, directSocket = false,
} = {}) {
  const sim = await startSimulator({ port: simPort, apiKey: UPSTREAM_KEY });
  /** `{level, message, json}` per console line of the worker, oldest first (with `captureLogs`). */
  const logs = [];
  const capture = {
    handleStructuredLogs({ level, message }) {
      recordLog(level, message);
      if (!captureLogs) return void (level === 'error' || level === 'warn' ? console.error : console.log)(message);
      let json;
      try {
        json = JSON.parse(message);
      } catch {
        json = undefined;
      }
      logs.push({ level, message, json });
    },
  };
  const bindings = {
    UPSTREAM_URL: upstreamUrl ?? sim.url,
    UPSTREAM_API_KEY: UPSTREAM_KEY,
    API_KEYS: `${CLIENT_KEY},${SALES_KEY}:sales,${READ_KEY}:*:read`,
    ALLOWED_ORIGINS: TEST_ORIGIN,
    ...vars,
  };
  recordSecrets(configuredSecrets(bindings));
  const names = Array.from({ length: instances }, (_, i) => `groupgate-${i}`);
  /** One worker's options; every instance's quotas live in the first instance's class. */
  const worker = (i) => ({
    name: names[i],
    scriptPath: script.startsWith('/') ? script : `${root}${script}`,
    modules: true,
    modulesRules: [{ type: 'CompiledWasm', include: ['**/*.wasm'] }, { type: 'ESModule', include: ['**/*.js'] }],
    compatibilityDate: '2026-08-01',
    kvNamespaces: kv ? { GROUPGATE_KV: 'GROUPGATE_KV' } : {},
    durableObjects: quotaObjects
      ? { GROUPGATE_QUOTAS: { className: 'QuotaObject', useSQLite: true, ...(i > 0 && { scriptName: names[0] }) } }
      : {},
    ...((instances > 1 || directSocket) && { unsafeDirectSockets: [{ host: '127.0.0.1', port: 0 }] }),
    // As wrangler.toml's [assets] with run_worker_first: the worker sees every request.
    ...(assets ? {
      assets: {
        directory: `${root}dist/console`,
        binding: 'ASSETS',
        routerConfig: { has_user_worker: true, invoke_user_worker_ahead_of_assets: true },
      },
    } : {}),
    bindings,
    ...(loopbackOnly && {
      outboundService: (request) => (new URL(request.url).hostname === '127.0.0.1'
        ? miniflareFetch(request)
        : new MiniflareResponse('loopback only', { status: 503 })),
    }),
    ...(trustedCertificates && {
      // Miniflare's own outbound network, with the test's certificates trusted too.
      outboundService: {
        network: { allow: ['public', 'private', '240.0.0.0/4'], tlsOptions: { trustBrowserCas: true, trustedCertificates } },
      },
    }),
  });
  const mf = new Miniflare({
    host: '127.0.0.1',
    port,
    ...(outputFile && { unsafeRuntimeEnv: outputTo(outputFile) }),
    ...(inspectorPort !== undefined && { inspectorPort }),
    ...(kvPersist && { kvPersist }),
    ...capture,
    ...(instances > 1 ? { workers: names.map((_, i) => worker(i)) } : worker(0)),
  });
  const url = String(await mf.ready).replace(/\/$/, '');
  const directUrl = async (name) => String(await mf.unsafeGetDirectURL(name)).replace(/\/$/, '');
  const urls = instances > 1 ? await Promise.all(names.map(directUrl)) : [url];
  const instanceList = urls.map((base) => ({ url: base, call: caller(base) }));
  const unwatch = urls.map(watchWorker);
  return {
    url,
    /** With `directSocket`: the worker's own socket, no entry worker in front of it. */
    ...(directSocket && instances === 1 && { directUrl: await directUrl(names[0]) }),
    sim,
    mf,
    logs,
    /** Every worker instance (isolate): `{url, call}`, the first one serving `url`. */
    instances: instanceList,
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
    call: instanceList[0].call,
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
      await recorded();
      unwatch.forEach((stop) => stop());
      await mf.dispose();
      await sim.close();
    },
  };
}
