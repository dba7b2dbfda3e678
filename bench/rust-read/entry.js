// Baseline (d) of `make bench` (lib.rs says what it is): the Worker's module, bundled with
// wasm-bindgen's glue by build.sh. It reads as baseline (c) does, with the outbound request and
// the response's headers and log line made by the wasm.
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
      wasm.configure(env.UPSTREAM_URL, env.UPSTREAM_API_KEY);
      configured = true;
    }
    const head = wasm.outbound(request.url).split('\n');
    const [requestId, started, url] = head;
    const answer = await fetch(url, {
      method: request.method,
      headers: setAll(new Headers(request.headers), head, 3),
      body: request.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(15000),
    });
    const contentType = answer.headers.get('content-type') ?? '';
    const tail = wasm.inbound(request.method, requestId, Number(started), answer.status, contentType).split('\n');
    console.log(tail[0]);
    return new Response(answer.body, { status: answer.status, headers: setAll(new Headers(), tail, 1) });
  },
};
