// The secrets scan, run by scripts/test.sh after the end-to-end tier: no key may appear in any
// response the worker gave those suites (status line, headers, body) nor in any of its log lines.
// It reads what tests/e2e/record.mjs wrote under GROUPGATE_E2E_RECORD, and fails when that is unset
// or holds no response or no log line: a scan of nothing proves nothing.
//
// The keys looked for: every secret a stack was configured with (UPSTREAM_API_KEY, each key of
// API_KEYS, the webhook HMAC keys), plus the keys the e2e helpers define — as they are, percent-
// encoded and base64-encoded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLIENT_KEY, READ_KEY, SALES_KEY, UPSTREAM_KEY } from '../e2e/stack.mjs';
import { FORWARD_KEY, WEBHOOK_KEY } from '../e2e/webhooks-helpers.mjs';

/** Shorter configured values are test fixtures of a refused setting, not keys worth scanning for. */
const SECRET_MIN_LENGTH = 12;

function readRecord() {
  const dir = process.env.GROUPGATE_E2E_RECORD;
  assert.ok(dir, 'GROUPGATE_E2E_RECORD names the directory the end-to-end suites recorded into');
  const lines = readdirSync(dir).filter((name) => name.endsWith('.jsonl'))
    .flatMap((name) => readFileSync(join(dir, name), 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line)));
  const of = (kind) => lines.filter((entry) => entry.kind === kind);
  return { responses: of('response'), logs: of('log'), configured: of('secrets').flatMap((entry) => entry.values) };
}

/** Each secret with the spellings it could leak in. */
function spellings(secrets) {
  return secrets.flatMap((secret) => [...new Set([
    secret, encodeURIComponent(secret), Buffer.from(secret).toString('base64'), Buffer.from(secret).toString('base64url'),
  ])].map((text) => ({ secret, text })));
}

test('no key appears in any response or log line of the end-to-end suites', () => {
  const { responses, logs, configured } = readRecord();
  assert.ok(responses.length > 0, 'responses were recorded');
  assert.ok(logs.length > 0, 'log lines were recorded');
  const secrets = [...new Set([UPSTREAM_KEY, CLIENT_KEY, SALES_KEY, READ_KEY, WEBHOOK_KEY, FORWARD_KEY, ...configured])]
    .filter((secret) => secret.length >= SECRET_MIN_LENGTH);
  const texts = [
    ...responses.map((r) => ({ where: `a response to ${r.url}`, text: [r.status, ...r.headers.map(([k, v]) => `${k}: ${v}`), r.body ?? ''].join('\n') })),
    ...logs.map((l) => ({ where: `a ${l.level} log line`, text: l.message })),
  ];
  const leaks = [];
  for (const { where, text } of texts) {
    for (const { secret, text: spelled } of spellings(secrets)) {
      if (text.includes(spelled)) leaks.push(`${where} holds the key ${secret.slice(0, 4)}…: ${text.slice(0, 300)}`);
    }
  }
  console.log(`secrets scan: ${responses.length} responses, ${logs.length} log lines, ${secrets.length} keys`);
  assert.deepEqual(leaks, []);
});
