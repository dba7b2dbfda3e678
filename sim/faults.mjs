// Injected faults for /api requests: delay, HTTP status (optionally with WAHA's message), a
// redirect, WhatsApp error, a socket dropped before the answer or in the middle of its body, a body
// that trickles in (`chunked`: without a Content-Length), invalid JSON, an HTML page, a large body,
// a gzip bomb, or a 200 with JSON of another shape than the route's (`answerJson`: its text, or
// empty for no body at all).
// (An upstream that is not listening at all is `POST /__sim/outage`, in waha-sim.mjs.)
import { WHATSAPP_ERROR_CODES, ValidationError } from './http.mjs';

/** The kinds of fault, one per fault object (besides `delayMs`, which any may have). */
export const KINDS = ['status', 'redirect', 'whatsappError', 'drop', 'cutBody', 'slowBodyMs', 'garbage', 'html', 'bodyBytes', 'gzipBytes', 'answerJson'];
/** What `garbage` answers under a JSON content type: JSON cut short. */
export const GARBAGE_BODY = '{"id":"120363000000000001@g.us","subject":"Alpha Te';
/** What `html` answers: the kind of page a proxy or login wall in front of WAHA serves. */
export const HTML_PAGE = '<!DOCTYPE html><html><head><title>Sign in</title></head><body><form>Sign in</form></body></html>';
/** Largest `bodyBytes`: a bit over the worker's cap on upstream answers is all a test needs. */
export const BODY_BYTES_MAX = 64 * 1024 * 1024;
/** Largest `gzipBytes` (decoded): a gzip bomb a reader that trusts its declared length would hold. */
export const GZIP_BYTES_MAX = 1024 * 1024 * 1024;

/**
 * Checks a `POST /__sim/faults` body: one fault object, or an array of them (the first one
 * matching a request applies). Returns normalized faults.
 */
export function parseFaults(body) {
  const list = Array.isArray(body) ? body : [body];
  return list.map(parseFault);
}

function parseFault(raw, index) {
  const where = `fault ${index}`;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ValidationError(`${where} must be an object`);
  const fault = { ...raw };
  const kinds = KINDS.filter((k) => fault[k] !== undefined && fault[k] !== false);
  if (kinds.length > 1) throw new ValidationError(`${where}: choose one of ${KINDS.join(', ')}`);
  if (kinds.length === 0 && fault.delayMs === undefined) throw new ValidationError(`${where}: nothing to inject`);
  checkNumber(fault.delayMs, 'delayMs', 0, 600_000);
  checkNumber(fault.status, 'status', 400, 599);
  checkNumber(fault.times, 'times', 1, Number.MAX_SAFE_INTEGER);
  checkNumber(fault.slowBodyMs, 'slowBodyMs', 1, 600_000);
  checkNumber(fault.bodyBytes, 'bodyBytes', 16, BODY_BYTES_MAX);
  checkNumber(fault.gzipBytes, 'gzipBytes', 16, GZIP_BYTES_MAX);
  if (fault.whatsappError !== undefined && !(fault.whatsappError in WHATSAPP_ERROR_CODES)) {
    throw new ValidationError(`whatsappError must be one of ${Object.keys(WHATSAPP_ERROR_CODES).join(', ')}`);
  }
  for (const key of ['drop', 'cutBody', 'garbage', 'html']) {
    if (fault[key] !== undefined && typeof fault[key] !== 'boolean') throw new ValidationError(`${key} must be a boolean`);
  }
  if (fault.chunked !== undefined && (typeof fault.chunked !== 'boolean' || fault.slowBodyMs === undefined)) {
    throw new ValidationError('chunked must be a boolean, with slowBodyMs');
  }
  if (fault.message !== undefined && (fault.status === undefined || typeof fault.message !== 'string')) {
    throw new ValidationError('message must be a string, with status');
  }
  if (fault.answerJson !== undefined && (typeof fault.answerJson !== 'string' || !isJsonOrEmpty(fault.answerJson))) {
    throw new ValidationError('answerJson must be a string of JSON text (empty: no body)');
  }
  if (fault.redirect !== undefined && !/^https?:\/\//.test(String(fault.redirect))) {
    throw new ValidationError('redirect must be an http(s) URL');
  }
  for (const key of ['match', 'method']) {
    if (fault[key] !== undefined && typeof fault[key] !== 'string') throw new ValidationError(`${key} must be a string`);
  }
  if (fault.method) fault.method = fault.method.toUpperCase();
  return fault;
}

function checkNumber(value, key, min, max) {
  if (value === undefined) return;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ValidationError(`${key} must be an integer from ${min} to ${max}`);
  }
}

/**
 * The fault that applies to this request, if any; uses up one of its `times` and forgets it
 * once they are all used.
 */
export function takeFault(faults, method, path) {
  const index = faults.findIndex((f) => (!f.match || path.includes(f.match)) && (!f.method || f.method === method));
  if (index < 0) return undefined;
  const fault = faults[index];
  if (fault.times !== undefined && --fault.times === 0) faults.splice(index, 1);
  return fault;
}

/** Whether `text` is empty or JSON text. */
function isJsonOrEmpty(text) {
  if (text === '') return true;
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
