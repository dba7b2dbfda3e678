// What the signed-in key may do (`client.scopes()`): every control marked `data-needs="<client
// method>"` is disabled (links hidden) with the reason in its title when the key's scopes do not
// allow that method, so nobody is offered an action the Worker would refuse with 403.
let allowed = null; // the client methods the key may call; null: not known (nothing disabled)

/** Asks the Worker what the key may do; until it answers (or if it cannot), nothing is disabled. */
export async function loadScopes(client) {
  allowed = null;
  try {
    allowed = new Set((await client.scopes()).methods);
  } catch {
    allowed = null;
  }
}

/** Forgets the key's scopes (signed out). */
export function forgetScopes() {
  allowed = null;
}

/** Disables (or hides, for links) the marked controls under `root` the key may not use. */
export function applyScopes(root = document) {
  for (const control of root.querySelectorAll('[data-needs]')) {
    const ok = !allowed || allowed.has(control.dataset.needs);
    const reason = ok ? '' : 'This key may not do this (its scopes do not include it).';
    if (control.tagName === 'A') control.hidden = !ok;
    else control.disabled = !ok;
    if (reason) control.title = reason;
    else control.removeAttribute('title');
    control.classList.toggle('not-allowed', !ok);
  }
  // A people action the key may not take is never the one selected.
  const action = document.getElementById('people-action');
  if (action && action.selectedOptions[0]?.disabled) {
    const usable = [...action.options].find((option) => !option.disabled);
    if (usable) action.value = usable.value;
  }
  // Send stays disabled while a bulk add runs (bulk.js marks it busy): one add at a time.
  const submit = document.getElementById('add-submit');
  if (submit && action) {
    submit.disabled = submit.dataset.busy === 'true' || ![...action.options].some((option) => !option.disabled);
  }
}
