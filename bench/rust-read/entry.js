// Baselines (d) and (e) of `make bench` (lib.rs says what they are): the Worker's module, bundled
// with wasm-bindgen's glue by build.sh. It reads as baseline (c) does, with the outbound request
// and the response's headers and log line made by the wasm.
import * as wasm from './index.js';

let configured = false;

/** Sets `headers` from the (name, value, …) fields from index `from` on. */
function setAll(headers, fields, from) {
  for (let i = from; i + 1 < fields.length; i += 2) headers.set(fields[i], fields[i + 1]);
  return headers;
}

export default {
  async fetch(request, env) {
    if (!configured) {
      wasm.configure(env.UPSTREAM_URL, env.UPSTREAM_API_KEY, env.API_KEYS);
      configured = true;
    }
    const out = wasm.outbound(request.method, request.url, request.headers.get('x-api-key') ?? undefined);
    if (out === '') return new Response('refused', { status: 403 });
    const head = out.split('\n');
    const [requestId, started, url, session, operation] = head;
    const answer = await fetch(url, {
      method: request.method,
      headers: setAll(new Headers(request.headers), head, 5),
      body: request.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(15000),
    });
    const contentType = answer.headers.get('content-type') ?? '';
    const tail = wasm.inbound(request.method, requestId, session, operation, Number(started), answer.status, contentType).split('\n');
    console.log(tail[0]);
    return new Response(answer.body, { status: answer.status, headers: setAll(new Headers(), tail, 1) });
  },
};
