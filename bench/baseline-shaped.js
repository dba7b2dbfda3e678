// Baseline (c) of `make bench`: baseline (a) plus the runtime work groupgate does on a read whose
// answer it streams through (UPSTREAM_ANSWER_CHECK=headers), written in plain JavaScript: a
// timeout signal on the fetch, a request id, a new response around the upstream's body stream
// with groupgate's three headers, and one JSON log line. What it loses against (a) is what that
// runtime work costs any Worker; what groupgate loses against it is groupgate's own.
export default {
  async fetch(request, env) {
    const started = Date.now();
    const url = new URL(request.url);
    const headers = new Headers(request.headers);
    headers.set('x-api-key', env.UPSTREAM_API_KEY);
    const requestId = crypto.randomUUID();
    headers.set('x-request-id', requestId);
    const answer = await fetch(env.UPSTREAM_URL + url.pathname + url.search, {
      method: request.method,
      headers,
      body: request.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(15000),
    });
    console.log(JSON.stringify({
      requestId, method: request.method, status: answer.status, upstreamStatus: answer.status, latencyMs: Date.now() - started,
    }));
    return new Response(answer.body, {
      status: answer.status,
      headers: { 'content-type': answer.headers.get('content-type'), 'x-request-id': requestId, vary: 'Origin' },
    });
  },
};
