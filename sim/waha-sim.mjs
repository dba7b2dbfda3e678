// WAHA simulator: a stateful stand-in for a WAHA server's groups API (the routes of
// tests/fixtures/waha-routes.tsv) and, over the same state, a Wadial-style groups API under
// /api/v1/sessions/ (sim/wadial-routes.mjs), plus a control API under /__sim/ for tests. Every
// /api call of either dialect is recorded (GET /__sim/requests).
//
//   node sim/waha-sim.mjs            (env SIM_PORT=3001, SIM_API_KEY=sim-upstream-key, SIM_HANG_MS=30000,
//                                     SIM_WEBHOOK_URL, SIM_WEBHOOK_HMAC_KEY: signed group.v2.* webhooks)
//   import { startSimulator } from './sim/waha-sim.mjs'
//
// Request pipeline for /api/...: read body → record → injected fault → X-Api-Key → route.
// `POST /__sim/outage {"ms": n}` stops listening for n ms (the upstream down: connection refused).
import { createServer, STATUS_CODES } from 'node:http';
import { realpathSync } from 'node:fs';
import { once } from 'node:events';
import { createGzip } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import {
  HttpError, JSON_TYPE, ValidationError, WhatsAppError, nestError, parseJsonBody, readBody, sendAnswer, sendJson, wahaError,
} from './http.mjs';
import { GARBAGE_BODY, HTML_PAGE, parseFaults, takeFault } from './faults.mjs';
import { ME, Session } from './groups.mjs';
import { findRoute } from './routes.mjs';
import { WebhookEmitter, editOutside } from './webhooks.mjs';
import { WADIAL_ROUTES, wadialStatus } from './wadial-routes.mjs';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

/** All mutable simulator state; `reset()` empties it in place so references stay valid. */
export class SimState {
  constructor() {
    this.sessions = new Map();
    this.requests = [];
    this.faults = [];
  }

  session(name) {
    if (!this.sessions.has(name)) this.sessions.set(name, new Session(name));
    return this.sessions.get(name);
  }

  reset() {
    this.sessions.clear();
    this.requests.length = 0;
    this.faults.length = 0;
  }
}

/**
 * Starts the simulator. `hangMs` is how long an empty subject "hangs" before failing (30 s like
 * a query timeout; lower it in tests). `webhooks: {url, hmacKey}` sends signed group.v2.* webhooks
 * there whenever a session's groups change (also settable later: `POST /__sim/webhooks`).
 */
export async function startSimulator({
  port = 0, host = '127.0.0.1', apiKey = 'sim-upstream-key', session = 'default', hangMs = 30_000, webhooks = {},
} = {}) {
  if (!LOOPBACK.has(host)) throw new Error(`waha-sim only listens on loopback, not ${host}`);
  const state = new SimState();
  const timers = new Set();
  const sleep = (ms) => new Promise((resolve) => {
    const timer = setTimeout(() => { timers.delete(timer); resolve(); }, ms);
    timers.add(timer);
  });
  const emitter = new WebhookEmitter(webhooks);
  const ctx = { state, apiKey, defaultSession: session, hangMs, sleep, emitter };

  const server = createServer((req, res) => {
    handle(ctx, req, res).catch((err) => answerError(req, res, err));
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const actualPort = server.address().port;

  /** Stops listening (new connections are refused, open ones are closed) for `ms`, then listens again. */
  ctx.outage = (ms) => {
    server.close(() => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        server.listen(actualPort, '127.0.0.1');
      }, ms);
      timers.add(timer);
    });
    server.closeAllConnections();
  };

  async function close() {
    for (const timer of timers) clearTimeout(timer);
    timers.clear();
    if (!server.listening) return;
    const closed = new Promise((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  }

  return { url: `http://127.0.0.1:${actualPort}`, port: actualPort, close, state, webhooks: emitter };
}

// ---------------------------------------------------------------- request handling

async function handle(ctx, req, res) {
  const [rawPath, ...rest] = req.url.split('?');
  const rawQuery = rest.join('?');
  if (rawPath.startsWith('/__sim/')) return control(ctx, req, res, rawPath, rawQuery);
  if (rawPath !== '/api' && !rawPath.startsWith('/api/')) return notFound(req, res);

  const { text, tooLarge } = await readBody(req);
  ctx.state.requests.push({
    method: req.method, path: rawPath, query: rawQuery, headers: { ...req.headers }, body: text, at: Date.now(),
  });

  const fault = takeFault(ctx.state.faults, req.method, rawPath);
  if (fault && (await applyFault(ctx, fault, req, res))) return;

  // Both dialects over one state: Wadial-style under /api/v1/sessions/ (Bearer key), WAHA elsewhere.
  const wadial = rawPath.startsWith('/api/v1/sessions/');
  const authorized = wadial ? req.headers.authorization === `Bearer ${ctx.apiKey}` : req.headers['x-api-key'] === ctx.apiKey;
  if (!authorized) {
    return sendJson(res, 401, { statusCode: 401, message: 'Unauthorized' });
  }
  if (tooLarge) return sendJson(res, 413, nestError(413, 'request entity too large'));
  await api(ctx, req, res, rawPath, rawQuery, text, wadial);
}

/** Routes an authenticated /api request to its handler (WAHA's, or Wadial-style's). */
async function api(ctx, req, res, rawPath, rawQuery, text, wadial) {
  const segments = decodeSegments(rawPath);
  const found = segments && findRoute(req.method, segments, wadial ? WADIAL_ROUTES : undefined);
  if (!found) return notFound(req, res);
  const body = parseJsonBody(text, req.headers['content-type']);
  const hang = async () => {
    await ctx.sleep(ctx.hangMs);
    throw new WhatsAppError('Timed Out', 408);
  };
  const session = ctx.state.session(found.params.session);
  const before = req.method === 'GET' ? undefined : ctx.emitter.before(session);
  const result = await found.route.handler({
    session,
    params: found.params,
    query: new URLSearchParams(rawQuery),
    body,
    hang,
  });
  const status = wadial ? wadialStatus(req.method, found.route.path, result) : req.method === 'POST' ? 201 : 200;
  if (wadial) sendJson(res, status, result);
  else sendAnswer(res, status, result);
  ctx.emitter.emit(session, before); // after the answer, as WAHA sends webhooks
}

/** `/api/x/groups/a%40g.us/` → `['api', 'x', 'groups', 'a@g.us']` (null if undecodable). */
function decodeSegments(rawPath) {
  const parts = rawPath.split('/').slice(1);
  if (parts.length > 1 && parts.at(-1) === '') parts.pop(); // Express ignores one trailing slash
  try {
    return parts.map(decodeURIComponent);
  } catch {
    return null;
  }
}

/** Applies a fault; returns true when it answered (or dropped) the request. */
async function applyFault(ctx, fault, req, res) {
  if (fault.delayMs) await ctx.sleep(fault.delayMs);
  if (fault.drop) {
    req.socket.destroy();
    return true;
  }
  if (fault.cutBody) {
    // Headers and half the declared body, then the socket is destroyed.
    const body = paddedJson(64 * 1024);
    res.writeHead(200, { 'content-type': JSON_TYPE, 'content-length': body.length });
    res.write(body.subarray(0, body.length / 2), () => req.socket.destroy());
    return true;
  }
  if (fault.slowBodyMs) {
    // Headers at once, then the body in ten pieces spread over slowBodyMs (`chunked`: without a
    // Content-Length, so the reader cannot take the body in one piece).
    const body = paddedJson(10 * 1024);
    res.writeHead(200, { 'content-type': JSON_TYPE, ...(!fault.chunked && { 'content-length': body.length }) });
    const piece = Math.ceil(body.length / 10);
    for (let at = 0; at < body.length && !res.destroyed; at += piece) {
      res.write(body.subarray(at, at + piece));
      await ctx.sleep(fault.slowBodyMs / 10);
    }
    res.end();
    return true;
  }
  if (fault.garbage || fault.html) {
    res.writeHead(200, { 'content-type': fault.html ? 'text/html; charset=utf-8' : JSON_TYPE });
    res.end(fault.html ? HTML_PAGE : GARBAGE_BODY);
    return true;
  }
  if (fault.answerJson !== undefined) {
    res.writeHead(200, { 'content-type': JSON_TYPE, 'content-length': Buffer.byteLength(fault.answerJson) });
    res.end(fault.answerJson);
    return true;
  }
  if (fault.bodyBytes) {
    // Valid JSON of exactly bodyBytes, sent chunked (no Content-Length): the reader must count.
    const body = paddedJson(fault.bodyBytes);
    res.writeHead(200, { 'content-type': JSON_TYPE });
    for (let at = 0; at < body.length && !res.destroyed; at += 1024 * 1024) {
      if (!res.write(body.subarray(at, at + 1024 * 1024))) await drained(res);
    }
    res.end();
    return true;
  }
  if (fault.gzipBytes) {
    // Valid JSON of gzipBytes once decoded, sent gzipped with its encoded Content-Length: a few
    // hundred KiB on the wire that a reader trusting the declared length would hold decoded.
    const body = await gzippedJson(fault.gzipBytes);
    res.writeHead(200, { 'content-type': JSON_TYPE, 'content-encoding': 'gzip', 'content-length': body.length });
    res.end(body);
    return true;
  }
  if (fault.whatsappError) {
    const err = new WhatsAppError(fault.whatsappError);
    sendJson(res, 500, wahaError(req, err.message, err.code));
    return true;
  }
  if (fault.redirect) {
    res.writeHead(302, { location: fault.redirect, 'content-length': 0 });
    res.end();
    return true;
  }
  if (fault.status) {
    const message = fault.message ?? STATUS_CODES[fault.status] ?? 'Error';
    const body = fault.status >= 500
      ? wahaError(req, message, undefined, fault.status)
      : nestError(fault.status, message);
    sendJson(res, fault.status, body);
    return true;
  }
  return false; // delay only: answer normally
}

/** Resolves once `res` can take more (or is closed). */
function drained(res) {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done).off('close', done);
      resolve();
    };
    res.on('drain', done).on('close', done);
  });
}

/** A JSON object of exactly `bytes` bytes (at least 16): `{"padding":"xx…"}`. */
function paddedJson(bytes) {
  return Buffer.from(JSON.stringify({ padding: 'x'.repeat(bytes - 14) }));
}

/** paddedJson(bytes), gzipped a MiB at a time (never held decoded); made once per size, when the fault is set. */
const gzipped = new Map();
function gzippedJson(bytes) {
  if (!gzipped.has(bytes)) {
    gzipped.set(bytes, (async () => {
      const gzip = createGzip();
      const parts = [];
      gzip.on('data', (part) => parts.push(part));
      const ended = once(gzip, 'end');
      const mib = Buffer.alloc(1024 * 1024, 'x');
      gzip.write('{"padding":"');
      for (let left = bytes - 14; left > 0; left -= mib.length) {
        if (!gzip.write(mib.subarray(0, Math.min(left, mib.length)))) await once(gzip, 'drain');
      }
      gzip.end('"}');
      await ended;
      return Buffer.concat(parts);
    })());
  }
  return gzipped.get(bytes);
}

function notFound(req, res) {
  sendJson(res, 404, nestError(404, `Cannot ${req.method} ${req.url}`));
}

function answerError(req, res, err) {
  if (res.headersSent || req.socket.destroyed) return;
  if (err instanceof WhatsAppError) return sendJson(res, 500, wahaError(req, err.message, err.code));
  if (err instanceof ValidationError) return sendJson(res, 400, nestError(400, err.messages));
  if (err instanceof HttpError) return sendJson(res, err.status, err.body);
  console.error('waha-sim: unexpected error', err);
  sendJson(res, 500, wahaError(req, String(err?.message ?? err)));
}

// ---------------------------------------------------------------- control API (/__sim/…)

const CONTROL = {
  'GET /__sim/requests': ({ state }) => state.requests,
  'DELETE /__sim/requests': ({ state }) => {
    state.requests.length = 0;
    return { ok: true };
  },
  'POST /__sim/reset': ({ state }) => {
    state.reset();
    return { ok: true };
  },
  'GET /__sim/faults': ({ state }) => state.faults,
  'POST /__sim/faults': async ({ state }, body) => {
    const faults = parseFaults(body);
    // A gzip bomb is made now, so the request it answers is not kept waiting while it is.
    await Promise.all(faults.filter((fault) => fault.gzipBytes).map((fault) => gzippedJson(fault.gzipBytes)));
    state.faults.splice(0, Infinity, ...faults);
    return { ok: true, faults: state.faults };
  },
  'DELETE /__sim/faults': ({ state }) => {
    state.faults.length = 0;
    return { ok: true };
  },
  /** The upstream not listening: once this answer is sent, connections are refused for `ms`. */
  'POST /__sim/outage': ({ outage }, body, query, afterAnswer) => {
    const { ms } = body;
    if (!Number.isInteger(ms) || ms < 1 || ms > 60_000) throw new ValidationError('ms must be an integer from 1 to 60000');
    afterAnswer(() => outage(ms));
    return { ok: true, ms };
  },
  'POST /__sim/webhooks': ({ emitter }, body) => {
    emitter.configure(body);
    return { ok: true };
  },
  'GET /__sim/webhooks': ({ emitter }) => emitter.deliveries,
  'DELETE /__sim/webhooks': ({ emitter }) => {
    emitter.deliveries.length = 0;
    return { ok: true };
  },
  'POST /__sim/webhooks/flush': async ({ emitter }) => {
    await emitter.flush();
    return { ok: true };
  },
  /** A change made outside the API (`sim/webhooks.mjs` editOutside); answers once delivered. */
  'POST /__sim/edit': async ({ state, emitter, defaultSession }, body) => {
    const session = state.session(body?.session || defaultSession);
    const before = emitter.before(session);
    try {
      editOutside(session, body);
    } catch (err) {
      throw new HttpError(400, { statusCode: 400, message: err.message });
    }
    const statuses = await emitter.emit(session, before);
    return { ok: true, deliveries: statuses };
  },
  'GET /__sim/state': ({ state, defaultSession }, body, query) => {
    const name = query.get('session') || defaultSession;
    return { session: name, me: ME, groups: [...state.session(name).groups.values()] };
  },
};

async function control(ctx, req, res, rawPath, rawQuery) {
  // Browser tests read the control API from their own origin: allow that here (never on /api).
  res.setHeader('access-control-allow-origin', '*');
  if (req.method === 'OPTIONS') {
    res.writeHead(204, { 'access-control-allow-methods': 'GET, POST, DELETE', 'access-control-allow-headers': 'content-type' });
    return res.end();
  }
  const handler = CONTROL[`${req.method} ${rawPath.replace(/\/$/, '')}`];
  if (!handler) return notFound(req, res);
  const { text } = await readBody(req);
  // Control bodies are JSON whatever the content type says.
  const body = parseJsonBody(text, 'application/json');
  const after = [];
  sendJson(res, 200, await handler(ctx, body, new URLSearchParams(rawQuery), (fn) => after.push(fn)));
  res.once('finish', () => after.forEach((fn) => fn()));
}

// ---------------------------------------------------------------- CLI

async function main() {
  const port = Number(process.env.SIM_PORT ?? 3001);
  const apiKey = process.env.SIM_API_KEY || 'sim-upstream-key';
  const hangMs = process.env.SIM_HANG_MS ? Number(process.env.SIM_HANG_MS) : undefined;
  const webhooks = { url: process.env.SIM_WEBHOOK_URL, hmacKey: process.env.SIM_WEBHOOK_HMAC_KEY };
  const sim = await startSimulator({ port, apiKey, hangMs, webhooks });
  console.log(`waha-sim listening on ${sim.url}`);
  const stop = async () => {
    await sim.close();
    process.exit(0);
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

function isMainModule() {
  try {
    return realpathSync(process.argv[1]) === fileURLToPath(import.meta.url);
  } catch {
    return false;
  }
}

if (isMainModule()) {
  main().catch((err) => {
    console.error(`waha-sim: ${err.message}`);
    process.exit(1);
  });
}
