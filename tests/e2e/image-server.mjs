// A local https picture server for the picture-URL tests: a throwaway self-signed certificate for
// 127.0.0.1 (made with the openssl CLI, kept in a temporary directory), a fixed set of answers
// (pictures, non-pictures, oversized bodies, redirects, a hang) and a record of the paths asked.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

/** A small JPEG (its magic number, a JFIF header, then filler): what a picture looks like on the wire. */
export const JPEG = Buffer.concat([
  Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]), Buffer.from('JFIF\0'), Buffer.alloc(600, 0x42), Buffer.from([0xff, 0xd9]),
]);
/** SHA-256 of `JPEG`, hex. */
export const JPEG_SHA256 = createHash('sha256').update(JPEG).digest('hex');
/** One byte more than the gateway accepts (2 MiB). */
const OVERSIZED = 2 * 1024 * 1024 + 1;

/** A JPEG and then 64 MiB of zeros, gzipped (about 64 KiB): what the runtime decodes is what counts. */
const GZIP_BOMB = gzipSync(Buffer.concat([JPEG, Buffer.alloc(64 * 1024 * 1024)]), { level: 9 });

function selfSignedCertificate() {
  const dir = mkdtempSync(join(tmpdir(), 'groupgate-img-'));
  try {
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
      '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
    ], { stdio: 'ignore' });
    return { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The answers, by path. `base` is the server's own https origin. */
function answer(path, res, base) {
  const send = (status, type, body, extra = {}) => {
    res.writeHead(status, { 'content-type': type, 'content-length': body.length, ...extra });
    res.end(body);
  };
  const redirect = (location) => send(302, 'text/plain', Buffer.alloc(0), { location });
  switch (path) {
    case '/pic.jpg': return send(200, 'image/jpeg', JPEG);
    case '/page.html': return send(200, 'text/html; charset=utf-8', Buffer.from('<html><body>not a picture</body></html>'));
    case '/fake.jpg': return send(200, 'image/jpeg', Buffer.from('<html>pretending</html>'));
    case '/big.jpg': return send(200, 'image/jpeg', Buffer.concat([JPEG, Buffer.alloc(OVERSIZED)]));
    case '/big-stream.jpg': { // no Content-Length: the cap must hold while reading
      res.writeHead(200, { 'content-type': 'image/jpeg' });
      res.write(JPEG);
      const chunk = Buffer.alloc(256 * 1024);
      for (let sent = 0; sent <= OVERSIZED; sent += chunk.length) res.write(chunk);
      return res.end();
    }
    case '/bomb.jpg': // gzip: a small declared length that decodes to 64 MiB
      return send(200, 'image/jpeg', GZIP_BOMB, { 'content-encoding': 'gzip' });
    case '/missing.jpg': return send(404, 'text/plain', Buffer.from('no such picture'));
    case '/to-relative': return redirect('/pic.jpg');
    case '/to-http': return redirect(`${base.replace('https:', 'http:')}/pic.jpg`);
    case '/to-private': return redirect('https://10.0.0.7/pic.jpg');
    case '/to-metadata': return redirect('https://169.254.169.254/latest/meta-data/');
    case '/loop': return redirect('/loop');
    case '/hang.jpg': return undefined; // never answers
    default: return send(404, 'text/plain', Buffer.from('unknown'));
  }
}

/** Starts the server on 127.0.0.1; `cert` is the PEM the worker must trust, `hits` the paths asked. */
export async function startImageServer() {
  const { key, cert } = selfSignedCertificate();
  const hits = [];
  let base;
  const server = createServer({ key, cert }, (req, res) => {
    hits.push({ path: req.url, headers: req.headers });
    answer(req.url, res, base);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  base = `https://127.0.0.1:${port}`;
  return {
    url: base,
    port,
    cert,
    hits,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
