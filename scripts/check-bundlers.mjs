// Runs the built package (pkg/) the two ways the README promises, in real headless Chromium:
// bundled by Vite (imported as `groupgate`) and from a plain <script type="module">. Each page
// writes what the module computed into <body data-result>; Chromium's --dump-dom shows it.
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, symlink, mkdir } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'vite';

const root = fileURLToPath(new URL('../', import.meta.url));
const EXPECTED = '15551234567@c.us 1024 invalid_group_id';
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm' };

/** Serves `dir` on a loopback port. */
async function serve(dir) {
  const server = createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
    try {
      const body = await readFile(join(dir, path.endsWith('/') ? `${path}index.html` : path));
      res.writeHead(200, { 'content-type': TYPES[extname(path) || '.html'] ?? 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => server.close() };
}

/** The page's DOM after its scripts ran, from headless Chromium. */
async function dumpDom(url) {
  const profile = await mkdtemp(join(tmpdir(), 'groupgate-chromium-'));
  try {
    const { stdout } = await promisify(execFile)('chromium', [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', `--user-data-dir=${profile}`, '--virtual-time-budget=10000', '--dump-dom', url,
    ], { timeout: 60_000 });
    return stdout;
  } finally {
    await rm(profile, { recursive: true, force: true });
  }
}

function expectResult(dom, what) {
  const found = dom.match(/data-result="([^"]*)"/)?.[1];
  if (found !== EXPECTED) throw new Error(`${what}: expected data-result "${EXPECTED}", got ${JSON.stringify(found)}`);
  console.log(`${what}: ${found}`);
}

const work = await mkdtemp(join(tmpdir(), 'groupgate-vite-'));
try {
  // The app resolves `groupgate` from its node_modules through pkg/package.json's `exports`, as
  // after `npm install groupgate`.
  await cp(join(root, 'tests/bundlers/vite-app'), join(work, 'app'), { recursive: true });
  await mkdir(join(work, 'app/node_modules'));
  await symlink(join(root, 'pkg'), join(work, 'app/node_modules/groupgate'));
  await build({
    root: join(work, 'app'),
    logLevel: 'error',
    configFile: false,
    cacheDir: join(work, '.vite'),
    build: { outDir: join(work, 'dist'), target: 'es2022', emptyOutDir: true },
  });
  const vite = await serve(join(work, 'dist'));
  const plain = await serve(root);
  try {
    expectResult(await dumpDom(`${vite.url}/`), 'Vite build');
    expectResult(await dumpDom(`${plain.url}/tests/bundlers/plain/`), 'plain <script type="module">');
  } finally {
    vite.close();
    plain.close();
  }
} finally {
  await rm(work, { recursive: true, force: true });
}
