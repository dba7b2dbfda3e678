// The Worker's module (scripts/build-worker.sh bundles it with wasm-bindgen's glue into
// build/index.js): the wasm instance's handlers as a plain module worker. A request costs one call
// into wasm, and a read the pipeline decides ahead two, the module making its runtime calls;
// no entrypoint object or proxy is made per request (a class with proxied methods, as
// worker-build's shim makes, was a tenth of the Worker's time on a read passed through).
//
// After a panic (instance.rs marks the instance critical) or a trap, the wasm instance is replaced
// before the next call, and a Durable Object made by the old instance is made again.
import * as wasm from './index.js';
import { respond, send } from './batched.js';

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

/**
 * Forwards a read decided ahead of the pipeline (`ahead`: "ticket\ntimeoutMs\nmethod\nurl\nname\nvalue…",
 * src/worker/read_ahead.rs): its answer streamed through to the client, or, when it cannot be (or
 * the fetch failed), handed to the pipeline, which answers it as if it had sent the request itself.
 */
async function forwardRead(ahead, request, env, ctx) {
  const ticketEnd = ahead.indexOf('\n');
  const timeoutEnd = ahead.indexOf('\n', ticketEnd + 1);
  const ticket = Number(ahead.slice(0, ticketEnd));
  const signal = AbortSignal.timeout(Number(ahead.slice(ticketEnd + 1, timeoutEnd)));
  let answer;
  try {
    answer = await send(ahead.slice(timeoutEnd + 1), null, signal, false);
  } catch {
    answer = undefined;
  }
  if (answer !== undefined) {
    const head = call(() => wasm.readAnswered(ticket, answer));
    if (head !== '') return respond(answer.status, answer.body, head);
  }
  return call(() => wasm.readHeld(ticket, request, env, ctx, answer, signal));
}

export default {
  fetch(request, env, ctx) {
    // A read the pipeline decides ahead is forwarded here, with no task of the executor's; any
    // other GET goes on through the pipeline from that decision, every other request straight in.
    if (request.method === 'GET') {
      const ahead = call(() => wasm.readAhead(request, env, ctx));
      return typeof ahead === 'string' ? forwardRead(ahead, request, env, ctx) : ahead;
    }
    return call(() => wasm.fetch(request, env, ctx));
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
