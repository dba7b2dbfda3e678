// Small DOM helpers shared by the views: elements, field errors, the problem banner, the
// activity line (progress and cancel for slow calls) and the confirmation dialog.
import { isGroupgateError } from 'groupgate';

/** The element with this id. */
export const $ = (id) => document.getElementById(id);

/** A new element: `props` are properties (or attributes when the element has none), `on…` listeners. */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else if (key in node) node[key] = value;
    else node.setAttribute(key, value);
  }
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}

/** `15551234567@c.us` → `+15551234567`; other ids as they are. */
export function showId(id) {
  const match = /^(\d+)@c\.us$/.exec(id ?? '');
  return match ? `+${match[1]}` : id;
}

/** Shows `message` under `input` (its `<id>-error` element), or clears it. */
export function setFieldError(input, message) {
  const box = $(`${input.id}-error`);
  box.textContent = message ?? '';
  box.hidden = !message;
  if (message) input.setAttribute('aria-invalid', 'true');
  else input.removeAttribute('aria-invalid');
}

/** Clears the banner and the errors of `fields` ({input}). */
export function clearProblems(fields = []) {
  for (const { input } of fields) setFieldError(input);
  const banner = $('problem');
  banner.hidden = true;
  banner.textContent = '';
  clearInterval(banner.countdown);
}

/** Shows a text in the banner. */
export function banner(text) {
  const box = $('problem');
  box.textContent = text;
  box.hidden = false;
}

/**
 * Shows a failure: each field error next to the input whose `key` (a JSON pointer prefix or a
 * parameter name) it concerns, worded by its `describe(error, index)` (index: the list position in
 * the pointer, e.g. `/participants/2/id` → 2); the rest, and the detail of any other problem, in
 * the banner. A 429 counts `Retry-After` down with `button` disabled; returns whether it does.
 */
export function showProblem(error, fields = [], button) {
  if (!isGroupgateError(error)) {
    banner(`Unexpected error: ${error?.message ?? error}`);
    return false;
  }
  if (error.code === 'aborted') {
    banner('Cancelled.');
    return false;
  }
  const messages = new Map();
  const unplaced = [];
  for (const item of error.errors) {
    const place = item.pointer ?? item.parameter;
    const field = fields.find((f) => place === f.key || place.startsWith(`${f.key}/`));
    if (!field) {
      unplaced.push(`${place}: ${item.detail}`);
      continue;
    }
    const index = Number(place.slice(field.key.length + 1).split('/')[0]);
    // The field is the place: `/subject: 47 characters…` reads `47 characters…` at the subject.
    const local = { ...item, detail: item.detail.startsWith(`${place}: `) ? item.detail.slice(place.length + 2) : item.detail };
    const text = field.describe ? field.describe(local, Number.isInteger(index) ? index : undefined) : local.detail;
    messages.set(field.input, [...(messages.get(field.input) ?? []), text]);
  }
  for (const [input, lines] of messages) setFieldError(input, lines.join('\n'));
  if (messages.size > 0 && unplaced.length === 0) {
    messages.keys().next().value.focus();
    return false;
  }
  const request = error.requestId ? `\nRequest id: ${error.requestId}` : '';
  banner(`${error.detail} (${error.code})${unplaced.length ? `\n${unplaced.join('\n')}` : ''}${request}`);
  if (!(error.retryAfter > 0)) return false;
  countDown(error, button);
  return true;
}

/** Keeps `button` disabled and the banner counting down until `Retry-After` has passed. */
function countDown(error, button) {
  const box = $('problem');
  const quota = error.rateLimitPolicy
    ? `Quota left: ${error.rateLimit?.remaining ?? 0} of ${error.rateLimitPolicy.quota} per ${error.rateLimitPolicy.window} s. `
    : '';
  const base = box.textContent;
  let left = Math.ceil(error.retryAfter);
  const tick = () => {
    box.textContent = `${base}\n${quota}Retry in ${left} s.`;
    if (button) button.disabled = left > 0;
    if (left-- <= 0) {
      clearInterval(box.countdown);
      box.textContent = `${base}\n${quota}You can retry now.`;
    }
  };
  clearInterval(box.countdown);
  tick();
  box.countdown = setInterval(tick, 1000);
}

/** What `act` returns when the call failed (the failure is already shown). */
export const FAILED = Symbol('failed');

/**
 * Runs one call: `button` disabled meanwhile, errors shown with `showProblem(…, fields)`, and a
 * status line with a Cancel button when it takes longer than 400 ms. `run(signal)` gets the
 * AbortSignal to pass on.
 */
export async function act({ label, run, fields = [], button }) {
  clearProblems(fields);
  const controller = new AbortController();
  if (button) button.disabled = true;
  let held = false;
  const slow = setTimeout(() => {
    $('activity-text').textContent = `${label}…`;
    $('activity').hidden = false;
    $('activity-cancel').onclick = () => controller.abort();
  }, 400);
  try {
    return await run(controller.signal);
  } catch (error) {
    held = showProblem(error, fields, button);
    return FAILED;
  } finally {
    clearTimeout(slow);
    $('activity').hidden = true;
    if (button && !held) button.disabled = false;
  }
}

/** Asks for confirmation in the page's dialog; resolves to true when confirmed. */
export function confirmAction(text, confirmLabel) {
  const dialog = $('confirm');
  $('confirm-text').textContent = text;
  $('confirm-ok').textContent = confirmLabel;
  dialog.returnValue = '';
  dialog.showModal();
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'ok'), { once: true });
  });
}

/** Shows exactly one of the views. */
export function showView(id) {
  for (const view of document.querySelectorAll('main > section')) view.hidden = view.id !== id;
}
