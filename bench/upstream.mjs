// The benchmark's upstream: a fast stand-in for WAHA on the routes `make bench` loads. Its answers
// are built once, at start, from the simulator's own seed groups (sim/groups.mjs), so they are the
// simulator's realistic bodies without its per-request state, recording or routing: the upstream
// must never be what limits the Workers measured in front of it. Node `http`, keep-alive, loopback.
//
//   node bench/upstream.mjs <api-key>      prints `{"url": …}` on one line, then serves until killed
import { createServer } from 'node:http';
import { Session, groupInfo } from '../sim/groups.mjs';

/** The group every benchmarked `{id}` route names (one of the simulator's seed groups). */
export const GROUP_ID = '120363000000000001@g.us';

/** Answers by route: `[method, path pattern, JSON text]`, the session being any name. */
function answers() {
  const session = new Session('default');
  const text = (value) => JSON.stringify(value);
  return [
    ['GET', /^\/api\/[^/]+\/groups$/, text(session.myGroups().map((g) => groupInfo(g)))],
    ['GET', /^\/api\/[^/]+\/groups\/[^/]+$/, text(groupInfo(session.group(GROUP_ID)))],
    ['POST', /^\/api\/[^/]+\/groups\/[^/]+\/participants\/add$/, text([{ id: '15551234567@c.us', status: '200' }])],
    ['POST', /^\/api\/[^/]+\/groups\/refresh$/, text({ success: true })],
  ];
}

/** Starts the stub on a loopback port; requests without `X-Api-Key: apiKey` get WAHA's 401. */
export async function startUpstream(apiKey) {
  const table = answers();
  const server = createServer({ keepAlive: true }, (req, res) => {
    // The body is read and dropped, as a real server reads it.
    req.resume();
    req.on('end', () => {
      const path = req.url.split('?')[0];
      const found = table.find(([method, pattern]) => method === req.method && pattern.test(path));
      const [status, body] = req.headers['x-api-key'] !== apiKey
        ? [401, '{"statusCode":401,"message":"Unauthorized"}']
        : found ? [200, found[2]] : [404, '{"statusCode":404,"message":"Not Found"}'];
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); }) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const upstream = await startUpstream(process.argv[2] ?? '');
  console.log(JSON.stringify({ url: upstream.url }));
}
