// The JavaScript half of the Worker's executor (task.rs): a settled promise is reported to wasm
// through the one callback the instance installs, by the number and generation of the slot that
// waits for it.

/** The instance's callback: `(slot, generation, value, fulfilled)`. */
let report;

/** Installs the instance's callback (again after the instance is replaced). */
export function install(callback) {
  report = callback;
}

/** Reports `promise`'s outcome to the slot numbered `slot`, of `generation`, once it settles. */
export function watch(promise, slot, generation) {
  promise.then((value) => report(slot, generation, value, true), (error) => report(slot, generation, error, false));
}

/** A new promise and its resolve and reject functions: `[promise, resolve, reject]`. */
export function deferred() {
  let resolve;
  let reject;
  const promise = new Promise((ok, fail) => {
    resolve = ok;
    reject = fail;
  });
  return [promise, resolve, reject];
}
