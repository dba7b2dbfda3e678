// The Worker's module (scripts/build-worker.sh bundles it with wasm-bindgen's glue into
// build/index.js): the wasm instance's handlers as a plain module worker. A request costs one call
// into wasm, given the request's head as the module read it, and a read the pipeline decides ahead
// two, the module making its runtime calls; no entrypoint object or proxy is made per request (a
// class with proxied methods, as worker-build's shim makes, was a tenth of the Worker's time on a
// read passed through). A read whose texts the module remembers (src/worker/read_ahead.rs) costs
// none while its answer's head is the one remembered.
//
// After a panic (instance.rs marks the instance critical) or a trap, the wasm instance is replaced
// before the next call, and a Durable Object made by the old instance is made again.
import * as wasm from './index.js';
import { answerHead, requestHead, respond, send } from './batched.js';

/** The state shared with the instance: `{ criticalError, instanceId }`. */
const life = wasm.__worker_init_state();

/** Replaces the wasm instance when the last call left it critical. */
function renewIfCritical() {
  if (!life.criticalError) return;
  console.error('groupgate: replacing the wasm instance after a panic');
  wasm.__wbg_reset_state();
  life.criticalError = false;
  life.instanceId += 1;
}

/** Marks the instance critical when `error` is a wasm trap. */
function noteTrap(error) {
  if (error instanceof WebAssembly.RuntimeError) life.criticalError = true;
}

addEventListener('error', (event) => noteTrap(event.error));

/** Calls into wasm (after replacing a critical instance), a trap marking the instance critical. */
function call(run) {
  renewIfCritical();
  try {
    return run();
  } catch (error) {
    noteTrap(error);
    throw error;
  }
}

/** The header names read with a request's method and URL (its head), and with an answer's status, for wasm. */
const [REQUEST_HEAD, ANSWER_HEAD] = wasm.headNames().split('\t');

/** How many reads' texts an isolate remembers; the oldest is forgotten first. */
const REMEMBERED_MAX = 256;

/** Remembered reads by their request's head: `{ keep, timeoutMs, outbound, answered, listed }`. */
const remembered = new Map();

/**
 * `text` with its holes filled (src/worker/read_ahead.rs): the request id's, U+0001 in a header;
 * and, given the latency, those of the log line that opens the response's text, the JSON strings
 * of U+0001 (its request id) and U+0002 (its latency), each the first of its kind in that text.
 */
function fill(text, id, latencyMs) {
  const filled = text.replaceAll('\u0001', id);
  return latencyMs === undefined ? filled : filled.replace('"\\u0001"', `"${id}"`).replace('"\\u0002"', latencyMs);
}

/**
 * Sends `read` (`outbound`: "method\nurl\nname\nvalue…" with holes) as request `id` under its
 * timeout, and answers it: its answer streamed through to the client with the headers and log
 * line remembered for that answer's head, or made by wasm for it (and remembered by the request's
 * `head` when `keep`); or, when it cannot stream through (or the fetch failed), by the pipeline,
 * which answers it as if it had sent the request itself.
 */
async function forwardRead(read, id, head, request, env, ctx, started) {
  const signal = AbortSignal.timeout(read.timeoutMs);
  let answer;
  try {
    answer = await send(fill(read.outbound, id), null, signal, false);
  } catch {
    answer = undefined;
  }
  if (answer !== undefined) {
    const answered = answerHead(answer, ANSWER_HEAD);
    const known = answered === read.answered;
    const listed = known ? read.listed : call(() => wasm.readAnswered(request, head, env, ctx, `${id}\n${started}`, answered));
    if (listed !== '') {
      if (!known && read.keep) {
        remembered.delete(head);
        if (remembered.size >= REMEMBERED_MAX) remembered.delete(remembered.keys().next().value);
        remembered.set(head, { ...read, answered, listed });
      }
      return respond(answer.status, answer.body, fill(listed, id, Date.now() - started));
    }
  }
  return call(() => wasm.readAhead(request, head, env, ctx, `${id}\n${started}`, answer, signal));
}

export default {
  fetch(request, env, ctx) {
    const head = requestHead(request, REQUEST_HEAD);
    if (request.method !== 'GET') return call(() => wasm.fetch(request, head, env, ctx));
    // A read the pipeline decides ahead is forwarded here, with no task of the executor's (a
    // remembered one, known by its head, without wasm); any other GET goes on through the
    // pipeline from that decision.
    const started = Date.now();
    const known = request.body === null ? remembered.get(head) : undefined;
    if (known !== undefined) return forwardRead(known, crypto.randomUUID(), head, request, env, ctx, started);
    const ahead = call(() => wasm.readAhead(request, head, env, ctx));
    if (typeof ahead !== 'string') return ahead;
    // "remember\nrequestId\ntimeoutMs\nmethod\nurl\nname\nvalue…"
    const [keep, id, timeout] = ahead.split('\n', 3);
    const outbound = ahead.slice(keep.length + id.length + timeout.length + 3);
    return forwardRead({ keep: keep === '1', timeoutMs: Number(timeout), outbound }, id, head, request, env, ctx, started);
  },
};

/** The quota Durable Object (`RATE_LIMIT_BACKEND = "durable-object"`), made again in a new instance. */
export class QuotaObject {
  constructor(state) {
    this.state = state;
    this.object = null;
    this.instanceId = -1;
  }

  fetch(request) {
    return call(() => {
      if (this.instanceId !== life.instanceId) {
        this.object = new wasm.QuotaObject(this.state);
        this.instanceId = life.instanceId;
      }
      return this.object.fetch(request);
    });
  }
}
