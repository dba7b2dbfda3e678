// The upstream faults and the Worker's answer to each: the one table that
// upstream-faults.test.mjs runs row by row and scripts/fault-table.mjs renders into SECURITY.md.
//
// A row injects one fault into the simulator (`inject`, a `POST /__sim/faults` body applied to the
// next request) or stops the simulator listening (`outageMs`, `POST /__sim/outage`), and says what
// the Worker answers: `status`, problem `code`, `upstreamStatus` (absent when nothing answered),
// `headers` it must carry (any other `Retry-After` is absent) and what `detail` says. That is the
// answer with `UPSTREAM_ANSWER_CHECK=body`, and with the default `headers` too unless the row says
// `streamed`: then the fault comes after a successful answer's headers, the answer streams through
// unread, and the client gets `200` with the body as the upstream sent it, however late (`asSent`:
// the timeout covers the status and headers of a streamed answer), or cut short (`cut`: the body
// breaks off, or ends early, so it is not the JSON value the upstream declared). A `passed` row is
// no fault of the Worker's to find: sound JSON of another shape than the operation's goes to the
// client as sent with either check (the npm module refuses it, `upstream_unavailable`).

/** `UPSTREAM_TIMEOUT_MS` of the stack the table runs against. */
export const FAULT_TIMEOUT_MS = 2000;
/** How long the slow faults take: far past the timeout, so a late answer cannot pass. */
const SLOW_MS = 8000;
/** The Worker's cap on an upstream answer (`UPSTREAM_ANSWER_MAX_BYTES` in src/limits.rs). */
export const UPSTREAM_ANSWER_MAX_BYTES = 16 * 1024 * 1024;

const unavailable = { status: 502, code: 'upstream_unavailable' };
const upstreamError = { status: 502, code: 'upstream_error' };

const WHATSAPP_ERRORS = [
  ['rate-overlimit', 429, 'whatsapp_rate_limited'],
  ['not-authorized', 403, 'whatsapp_not_authorized'],
  ['forbidden', 403, 'whatsapp_forbidden'],
  ['item-not-found', 404, 'whatsapp_not_found'],
  ['gone', 410, 'whatsapp_gone'],
  ['not-acceptable', 422, 'whatsapp_not_acceptable'],
  ['bad-request', 400, 'whatsapp_bad_request'],
];

/** Every upstream fault, in the order the table is shown. */
export const UPSTREAM_FAULTS = [
  { fault: 'connection refused (the upstream is not listening)', outageMs: 1500, ...unavailable, detail: /could not be reached/ },
  { fault: 'connection dropped before any answer', inject: { drop: true }, ...unavailable, detail: /could not be reached/ },
  {
    fault: 'connection reset mid-body (headers sent, then the socket destroyed)',
    inject: { cutBody: true },
    ...unavailable,
    upstreamStatus: 200,
    detail: /broke while it answered/,
    streamed: 'cut',
  },
  ...[
    ['slow headers (no answer within `UPSTREAM_TIMEOUT_MS`)', { delayMs: SLOW_MS }],
    ['slow body (headers in time, the body trickles past `UPSTREAM_TIMEOUT_MS`)', { slowBodyMs: SLOW_MS }],
    ['slow chunked body (no Content-Length, the body trickles past `UPSTREAM_TIMEOUT_MS`)', { slowBodyMs: SLOW_MS, chunked: true }],
  ].map(([fault, inject]) => ({
    fault,
    inject,
    status: 504,
    code: 'upstream_timeout',
    slow: true,
    detail: new RegExp(`within ${FAULT_TIMEOUT_MS} ms`),
    // Headers in time: only a late status line is a timeout while the answer streams.
    ...(inject.slowBodyMs && { streamed: 'asSent' }),
  })),
  {
    fault: 'invalid JSON under a JSON content type',
    inject: { garbage: true },
    ...unavailable,
    upstreamStatus: 200,
    detail: /not valid JSON/,
    streamed: 'asSent',
  },
  { fault: 'a 200 with an HTML page', inject: { html: true }, ...unavailable, upstreamStatus: 200, detail: /HTML page/ },
  {
    fault: `an answer larger than \`UPSTREAM_ANSWER_MAX_BYTES\` (${UPSTREAM_ANSWER_MAX_BYTES} bytes)`,
    inject: { bodyBytes: UPSTREAM_ANSWER_MAX_BYTES + 1 },
    ...unavailable,
    upstreamStatus: 200,
    detail: new RegExp(`larger than ${UPSTREAM_ANSWER_MAX_BYTES} bytes`),
    // Sent without a Content-Length: only a declared length over the cap is refused unread.
    streamed: 'asSent',
  },
  {
    fault: 'a gzip bomb (a few KiB on the wire, declared as such, that decode to over the cap)',
    inject: { gzipBytes: UPSTREAM_ANSWER_MAX_BYTES + 1 },
    ...unavailable,
    upstreamStatus: 200,
    detail: new RegExp(`larger than ${UPSTREAM_ANSWER_MAX_BYTES} bytes`),
    // The declared length counts encoded bytes, so it is no length at all: counted as it decodes.
    streamed: 'asSent',
  },
  {
    fault: "a 200 whose JSON has another shape than the operation's (a list for one group)",
    inject: { answerJson: '[]' },
    passed: true,
    upstreamStatus: 200,
  },
  {
    fault: 'a redirect (HTTP 302), never followed',
    inject: { redirect: 'http://127.0.0.1:9/elsewhere' },
    ...upstreamError,
    upstreamStatus: 302,
    detail: /redirect/,
  },
  ...[500, 502, 503].map((status) => ({
    fault: `HTTP ${status} (WAHA's message is not passed on)`,
    inject: { status, message: 'connect ECONNREFUSED 10.0.0.7:6379' },
    ...upstreamError,
    upstreamStatus: status,
    detail: new RegExp(`^the upstream answered HTTP ${status}$`),
  })),
  {
    fault: "HTTP 401 (the upstream refused the gateway's own key)",
    inject: { status: 401 },
    ...upstreamError,
    upstreamStatus: 401,
    detail: /UPSTREAM_API_KEY/,
  },
  ...[[400, 'Bad Request'], [404, 'Not Found'], [409, 'Conflict'], [422, 'Unprocessable Entity']].map(([status, message]) => ({
    fault: `HTTP ${status} (status and message kept)`,
    inject: { status },
    status,
    code: 'upstream_error',
    upstreamStatus: status,
    detail: new RegExp(message),
  })),
  ...WHATSAPP_ERRORS.map(([error, status, code]) => ({
    fault: `WhatsApp's \`${error}\` (in WAHA's HTTP 500)`,
    inject: { whatsappError: error },
    status,
    code,
    detail: new RegExp(error),
    ...(error === 'rate-overlimit' && { headers: { 'retry-after': '60' } }),
  })),
];

/** What a client gets for a `streamed` row with `UPSTREAM_ANSWER_CHECK=headers`. */
const STREAMED = { asSent: '200, the body as the upstream sent it (however late)', cut: '200, then the body cut short (not JSON)' };
/** What a client gets for a `passed` row, with either check. */
const PASSED = '200, the body as the upstream sent it (the npm module refuses it: `upstream_unavailable`)';

/** The table as Markdown: fault → status, code, headers, and the answer when answers stream. */
export function faultTableMarkdown() {
  const lines = [
    `| upstream fault | answer (\`UPSTREAM_ANSWER_CHECK=body\`) | \`upstreamStatus\` | headers | with \`UPSTREAM_ANSWER_CHECK=headers\` (the default) |`,
    '| --- | --- | --- | --- | --- |',
  ];
  for (const row of UPSTREAM_FAULTS) {
    const headers = Object.entries(row.headers ?? {}).map(([name, value]) => `\`${name}: ${value}\``).join(', ') || '–';
    const streamed = STREAMED[row.streamed] ?? 'the same';
    const answer = row.passed ? PASSED : `${row.status} \`${row.code}\``;
    lines.push(`| ${row.fault} | ${answer} | ${row.upstreamStatus ?? '–'} | ${headers} | ${streamed} |`);
  }
  return lines.join('\n');
}
