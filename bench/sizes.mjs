// Sizes: the Worker as `wrangler deploy --dry-run` reports it (Total Upload and its gzip, from a
// throwaway config naming build/index.js, so wrangler bundles exactly what a deploy uploads without
// running the project's build command), and the browser module (pkg/) with gzip -9.
// Writes sizes.json.
//
//   node bench/sizes.mjs     (after scripts/build-worker.sh and scripts/build-pkg.sh)
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { root, writeResult } from './lib.mjs';

/** Bytes of `path` and of `gzip -9` of it. */
function gzipSize(path) {
  return { bytes: statSync(path).size, gzip: execFileSync('gzip', ['-9c', path], { maxBuffer: 1 << 26 }).length };
}

/** `gzipSize` summed over `paths`. */
function gzipSizes(paths) {
  return paths.map(gzipSize).reduce((sum, size) => ({ bytes: sum.bytes + size.bytes, gzip: sum.gzip + size.gzip }));
}

/** The browser module's JavaScript: the glue and the snippets it imports (pkg/snippets/). */
function browserScripts() {
  const snippets = `${root}pkg/snippets`;
  const found = existsSync(snippets) ? readdirSync(snippets, { recursive: true }).filter((f) => f.endsWith('.js')) : [];
  return [`${root}pkg/groupgate.js`, ...found.map((f) => `${snippets}/${f}`)];
}

/** Bytes of a wasm module's code, data and name (function names) sections. */
function wasmSections(path) {
  const bytes = readFileSync(path);
  const sections = { code: 0, data: 0, names: 0 };
  const leb = (at) => {
    let value = 0;
    let shift = 0;
    for (;;) {
      const byte = bytes[at++];
      value += (byte & 0x7f) * 2 ** shift;
      shift += 7;
      if (byte < 0x80) return [value, at];
    }
  };
  for (let at = 8; at < bytes.length;) {
    const id = bytes[at];
    const [size, start] = leb(at + 1);
    if (id === 10) sections.code += size;
    if (id === 11) sections.data += size;
    if (id === 0) {
      const [length, name] = leb(start);
      if (bytes.toString('latin1', name, name + length) === 'name') sections.names += size;
    }
    at = start + size;
  }
  return sections;
}

/** wrangler's "Total Upload: X KiB / gzip: Y KiB" for build/index.js. */
function workerUpload() {
  const dir = mkdtempSync(`${tmpdir()}/groupgate-size-`);
  try {
    const compatibilityDate = /^compatibility_date = "([^"]+)"/m.exec(readFileSync(`${root}wrangler.toml`, 'utf8'))[1];
    writeFileSync(`${dir}/wrangler.toml`, `name = "groupgate"\nmain = "${root}build/index.js"\ncompatibility_date = "${compatibilityDate}"\n`);
    const out = execFileSync('wrangler', ['deploy', '--dry-run', '--outdir', `${dir}/out`, '--config', `${dir}/wrangler.toml`], {
      cwd: dir, encoding: 'utf8', env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: '1' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    const found = /Total Upload:\s*([\d.]+) KiB \/ gzip:\s*([\d.]+) KiB/.exec(out);
    if (!found) throw new Error(`wrangler deploy --dry-run printed no "Total Upload":\n${out}`);
    return { totalKiB: Number(found[1]), gzipKiB: Number(found[2]) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const workerWasm = `${root}build/index_bg.wasm`;
const worker = { upload: workerUpload(), wasm: { ...gzipSize(workerWasm), sections: wasmSections(workerWasm) } };
const browser = { wasm: gzipSize(`${root}pkg/groupgate_bg.wasm`), glue: gzipSizes(browserScripts()) };
writeResult('sizes', { worker, browser });
process.stderr.write(`worker ${worker.upload.totalKiB} KiB / gzip ${worker.upload.gzipKiB} KiB; browser wasm ${browser.wasm.gzip} B + glue ${browser.glue.gzip} B gzip\n`);
