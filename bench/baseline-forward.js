// Baseline (a) of `make bench`: the twenty lines a person would write instead of groupgate. Every
// request goes to the same upstream with the upstream's key in place of the client's headers'
// key, and the answer comes back as it is: no authentication, validation or rate limiting.
export default {
  async fetch(request, env) {
    return forward(request, env);
  },
};

/** The request, sent on to `env.UPSTREAM_URL` with `X-Api-Key: env.UPSTREAM_API_KEY`. */
export function forward(request, env) {
  const url = new URL(request.url);
  const headers = new Headers(request.headers);
  headers.set('x-api-key', env.UPSTREAM_API_KEY);
  return fetch(env.UPSTREAM_URL + url.pathname + url.search, {
    method: request.method,
    headers,
    body: request.body,
  });
}
