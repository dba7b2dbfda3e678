// The console's weight: loads the page (the worker in workerd serving dist/console, signed out)
// in Debian's Chromium and counts the bytes each file takes on the wire (Chromium's
// encodedDataLength, headers included), and what each weighs with gzip -9 (as an edge that
// compresses would send it). Writes the figures to console.json for bench/report.mjs.
//   node scripts/bench-console.mjs        (after scripts/build-worker.sh and scripts/build-console.sh)
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { startStack } from '../tests/e2e/stack.mjs';
import { writeResult } from '../bench/lib.mjs';

const BUDGET = 150 * 1024;

const stack = await startStack({ assets: true, captureLogs: true });
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
const files = [];
try {
  const page = await browser.newPage();
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  const urls = new Map();
  cdp.on('Network.responseReceived', (e) => urls.set(e.requestId, { url: e.response.url, encoding: e.response.headers['content-encoding'] ?? e.response.headers['Content-Encoding'] }));
  cdp.on('Network.loadingFinished', (e) => files.push({ ...urls.get(e.requestId), wire: e.encodedDataLength }));
  await page.goto(`${stack.url}/`);
  await page.locator('body[data-ready="true"]').waitFor();
  await page.waitForLoadState('networkidle');
} finally {
  await browser.close();
  await stack.close();
}

const rows = files.map((f) => {
  const path = new URL(f.url).pathname;
  const local = `dist/console${path === '/' ? '/index.html' : path}`;
  const raw = readFileSync(local);
  return { path, wire: f.wire, raw: raw.length, gzip: gzipSync(raw, { level: 9 }).length, encoding: f.encoding ?? 'none' };
}).sort((a, b) => b.raw - a.raw);
const sum = (key) => rows.reduce((total, r) => total + r[key], 0);
const table = [
  '| file | on the wire (workerd, local) | encoding | size | gzip -9 |',
  '|---|---|---|---|---|',
  ...rows.map((r) => `| \`${r.path}\` | ${r.wire} B | ${r.encoding} | ${r.raw} B | ${r.gzip} B |`),
  `| **all ${rows.length} files** | **${sum('wire')} B** | | ${sum('raw')} B | **${sum('gzip')} B** |`,
].join('\n');
const markdown = `Measured ${new Date().toISOString().slice(0, 10)} by \`make bench\` (\`scripts/bench-console.mjs\`): the signed-out page
loaded in Chromium from the worker in workerd. Budget: ${BUDGET} B (150 KiB) transferred, checked by
\`tests/console/groups.test.mjs\` on every \`make test\`.

${table}`;
writeResult('console', { markdown, wireBytes: sum('wire'), budgetBytes: BUDGET });
console.log(table);
if (sum('wire') > BUDGET) process.exitCode = 1;
