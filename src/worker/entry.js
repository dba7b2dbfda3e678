// The Worker's module (scripts/build-worker.sh bundles it with wasm-bindgen's glue into
// build/index.js): the wasm instance's handlers as a plain module worker. A request costs one call
// into wasm; no entrypoint object or proxy is made per request (a class with proxied methods, as
// worker-build's shim makes, was a tenth of the Worker's time on a read passed through).
//
// After a panic (instance.rs marks the instance critical) or a trap, the wasm instance is replaced
// before the next call, and a Durable Object made by the old instance is made again.
import * as wasm from './index.js';

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

export default {
  fetch(request, env, ctx) {
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
