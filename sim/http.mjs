// HTTP helpers for the WAHA simulator: error types, answer shapes, body reading.
import { STATUS_CODES } from 'node:http';

export const JSON_TYPE = 'application/json; charset=utf-8';
export const MAX_BODY_BYTES = 10 * 1024 * 1024;

/** WhatsApp error texts and the numeric codes WAHA puts in `exception.code`. */
export const WHATSAPP_ERROR_CODES = Object.freeze({
  'bad-request': 400,
  'not-authorized': 401,
  forbidden: 403,
  'item-not-found': 404,
  'not-acceptable': 406,
  gone: 410,
  'rate-overlimit': 429,
});

/** A whole-request error from "WhatsApp"; WAHA surfaces it as HTTP 500. */
export class WhatsAppError extends Error {
  constructor(message, code = WHATSAPP_ERROR_CODES[message]) {
    super(message);
    this.code = code;
  }
}

/** A NestJS ValidationPipe rejection: HTTP 400 with a list of messages. */
export class ValidationError extends Error {
  constructor(...messages) {
    super(messages.join('; '));
    this.messages = messages;
  }
}

/** Any other HTTP error with a ready-made body. */
export class HttpError extends Error {
  constructor(status, body) {
    super(`HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

/**
 * A handler's answer as WAHA (NestJS on Express) sends it: an object or array as JSON; any other
 * value as its text, `text/html` (NestJS sends `String(value)`: an invite code arrives as `AbC…`,
 * not `"AbC…"`, and a setting's `true` as the four letters under `text/html`).
 */
export function sendAnswer(res, status, value) {
  if (value === undefined || value === null || typeof value === 'object') return sendJson(res, status, value);
  const text = String(value);
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export function sendJson(res, status, value) {
  const text = value === undefined ? '' : JSON.stringify(value);
  res.writeHead(status, { 'content-type': JSON_TYPE, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** NestJS HttpException body: `{statusCode, message, error}`. */
export function nestError(status, message) {
  return { statusCode: status, message, error: STATUS_CODES[status] ?? 'Error' };
}

/** WAHA's 5xx body; `code` is only present for WhatsApp errors. */
export function wahaError(req, message, code, status = 500) {
  const exception = { message, name: 'Error' };
  if (code !== undefined) exception.code = code;
  return {
    statusCode: status,
    timestamp: new Date().toISOString(),
    exception,
    request: { path: req.url, method: req.method },
  };
}

/** Reads the whole body as text, keeping at most `limit` bytes. */
export function readBody(req, limit = MAX_BODY_BYTES) {
  return new Promise((resolve) => {
    const chunks = [];
    let size = 0;
    const done = () => resolve({ text: Buffer.concat(chunks).toString('utf8'), tooLarge: size > limit });
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    req.on('end', done);
    req.on('close', done); // aborted by the client: resolve with what arrived
    req.on('error', done);
  });
}

/**
 * Parses a body the way Express' body-parser (strict JSON) does: only when the
 * content type is application/json; otherwise (or when empty) the body is `{}`.
 */
export function parseJsonBody(text, contentType = '') {
  const mediaType = contentType.split(';')[0].trim().toLowerCase();
  if (mediaType !== 'application/json' || text.trim() === '') return {};
  const first = text.trimStart()[0];
  if (first !== '{' && first !== '[') {
    throw new HttpError(400, nestError(400, `Unexpected token ${JSON.stringify(first)} in JSON at position 0`));
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new HttpError(400, nestError(400, err.message));
  }
}
