// Baseline (b) of `make bench`: baseline (a) plus the KV work a naive rate limiter does on the
// limited routes (one `list` of the session's entries and one `put` of a new one per request), so
// the inherent cost of KV is measured apart from groupgate's own work.
import { forward } from './baseline-forward.js';

/** `POST /api/{session}/…` paths that spend a quota, like groupgate's limited operations. */
const LIMITED = /^\/api\/([^/]+)\/groups(\/refresh|\/[^/]+\/participants\/(add|remove))?$/;

/** Requests per session and hour, as groupgate's default `LIMIT_ADD`. */
const QUOTA = 50;

export default {
  async fetch(request, env) {
    const match = request.method === 'POST' && LIMITED.exec(new URL(request.url).pathname);
    if (match) {
      const prefix = `naive:${match[1]}:`;
      const { keys } = await env.GROUPGATE_KV.list({ prefix });
      if (keys.length >= QUOTA) return new Response('{"error":"rate limited"}', { status: 429 });
      await env.GROUPGATE_KV.put(`${prefix}${Date.now()}:${crypto.randomUUID()}`, '1', { expirationTtl: 3600 });
    }
    return forward(request, env);
  },
};
