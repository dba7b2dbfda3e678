// The JavaScript half of the Worker's executor (task.rs): a settled promise is reported to wasm
// through the one callback the instance installs, by the number and generation of the slot that
// waits for it.

/** The instance's callback: `(slot, generation, value, fulfilled)`. */
let report;
/** How many instances installed one: a replaced instance's slots are not the new one's. */
let installs = 0;

/** Installs the instance's callback (again after the instance is replaced). */
export function install(callback) {
  report = callback;
  installs += 1;
}

/**
 * Reports `promise`'s outcome to the slot numbered `slot`, of `generation`, once it settles,
 * unless the instance that watched it was replaced meanwhile: the new instance numbers its slots
 * afresh, so the outcome would reach another request.
 */
export function watch(promise, slot, generation) {
  const watchedBy = installs;
  const settle = (value, fulfilled) => {
    if (watchedBy === installs) report(slot, generation, value, fulfilled);
  };
  promise.then((value) => settle(value, true), (error) => settle(error, false));
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
