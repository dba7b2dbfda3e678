// make dev's .dev.vars (scripts/dev-vars.sh, sourced by scripts/dev.sh): every value wrangler reads
// back is the value that was in the environment, byte for byte. It is read with wrangler's own
// reader — unstable_getVarsForDev, the function `wrangler dev` loads .dev.vars with (its bundled
// dotenv 16.3.1 parse) — from a temporary directory; no worker is started. A value no dotenv quoting
// keeps must stop make dev with an error naming the variable, never showing the value.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const writer = join(root, 'scripts', 'dev-vars.sh');
const wrangler = createRequire(import.meta.url)(join(root, 'node_modules', 'wrangler'));

/** A fresh temporary directory, removed when the test ends. */
function tempDir(t) {
  const dir = mkdtempSync(join(tmpdir(), 'groupgate-dev-vars-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Runs the writer into dir/.dev.vars with only PATH and `vars` in its environment. */
function write(dir, vars, names = Object.keys(vars)) {
  const env = { PATH: process.env.PATH, ...vars };
  return spawnSync('bash', [writer, join(dir, '.dev.vars'), ...names], { env, encoding: 'utf8', timeout: 10_000 });
}

/** What `wrangler dev` would bind from dir/.dev.vars: name → value. */
function readBack(dir) {
  const bindings = wrangler.unstable_getVarsForDev(join(dir, 'wrangler.toml'), undefined, {}, undefined, true);
  return Object.fromEntries(Object.entries(bindings).map(([name, binding]) => {
    assert.equal(binding.type, 'secret_text', name);
    return [name, binding.value];
  }));
}

function roundTrip(t, vars, names = Object.keys(vars)) {
  const dir = tempDir(t);
  const run = write(dir, vars, names);
  assert.equal(run.status, 0, `the writer failed: ${run.stderr}`);
  assert.equal(run.stdout + run.stderr, '', 'the writer prints nothing');
  assert.deepEqual(readBack(dir), vars);
  assert.equal(statSync(join(dir, '.dev.vars')).mode & 0o777, 0o600, '.dev.vars is readable by its owner only');
}

/** The documented limits of dotenv's quoting (see scripts/dev-vars.sh). */
function representable(v) {
  if (v.includes('\r')) return false;
  if (v.endsWith('\\')) return /^[!-~]+$/.test(v) && !/[#'"`]/.test(v); // unquoted
  return !v.includes("'") || !v.includes('`') || (!v.includes('"') && !v.includes('\\n') && !v.includes('\\r'));
}

test('the settings come back from wrangler exactly as they were set', (t) => {
  roundTrip(t, {
    ALLOWED_ORIGINS: '*',
    API_KEYS: 'k1-groupgate-test-key,k2-groupgate-test-key:sales|ops:read,write:https://a.example|http://b.example:8080',
    RATE_LIMIT_ON_STORE_ERROR: 'refresh:deny,add:deny,remove:allow,create:deny',
    PICTURE_URL_HOSTS: 'a:b|c',
    WEBHOOK_HMAC_KEY: 'abc#def',
    WEBHOOK_FORWARD_HMAC_KEY: 'back\\slash\\',
    UPSTREAM_API_KEY: 'x$HOME${HOME}$(id)`id`\\$',
    UPSTREAM_URL: '  http://127.0.0.1:3001/with spaces  ',
    LIMIT_ADD: '',
    LIMIT_REMOVE: "it's",
    LIMIT_CREATE: "it's `both`",
    LIMIT_REFRESH: 'it\'s `both`, not the third quote: \\x \\t $HOME',
    LIMIT_ADD_PER_GROUP: 'C:\\ends\\with\\backslash\\',
    LIMIT_REMOVE_PER_GROUP: "'starts with a quote",
    GROUP_CACHE: 'line one\nline two\n',
    SUBJECT_MAX_LENGTH: '"double" and \\n and \\r stay',
    DESCRIPTION_MAX_LENGTH: 'ünïcødé ✓ # = \t tab',
    WEBHOOK_FORWARD_URL: 'NEXT=injected\nUPSTREAM_DIALECT=evil',
  });
});

test('any value within dotenv\'s quoting round-trips, many in one file; any other is refused', (t) => {
  // A seeded generator over the characters that matter to bash and dotenv: the same cases every run.
  // All accepted values share one file, as in make dev: a value misquoted can swallow the lines after it.
  let seed = 0x9e3779b9;
  const next = () => { seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0; return seed; };
  const alphabet = [..."'\"`\\\\#$= \t\n,:|*?!{}()[]&;<>~%^@nrxé✓\u00a0\u2028\r"];
  const vars = {};
  const refused = [];
  let needsDoubleQuotes = 0;
  let endsInBackslash = 0;
  for (let i = 0; Object.keys(vars).length < 400; i++) {
    const value = Array.from({ length: next() % 12 }, () => alphabet[next() % alphabet.length]).join('');
    if (!representable(value)) {
      if (refused.length < 40) refused.push(value);
      continue;
    }
    if (value.includes("'") && value.includes('`')) needsDoubleQuotes++;
    if (value.endsWith('\\')) endsInBackslash++;
    vars[`V${i}`] = value;
  }
  assert.ok(needsDoubleQuotes > 0 && endsInBackslash > 0 && refused.length > 0, 'the sample holds every kind of value');
  roundTrip(t, vars, Object.keys(vars));

  for (const value of refused) {
    const dir = tempDir(t);
    const run = write(dir, { V: value }, ['V']);
    assert.notEqual(run.status, 0, `refused: ${JSON.stringify(value)}`);
    assert.ok(!existsSync(join(dir, '.dev.vars')), 'no .dev.vars is written');
  }
});

test('a value that cannot be written stops the writer, naming the variable but not the value', (t) => {
  const secret = 'SECRET-8a3f0c91d2';
  const cases = [
    ['WEBHOOK_HMAC_KEY', `${secret}\r`],
    ['API_KEYS', `${secret}'\`"`],
    ['UPSTREAM_API_KEY', `${secret}'\`\\n`],
    ['WEBHOOK_FORWARD_HMAC_KEY', `${secret}'\`\\r`],
    ['UPSTREAM_URL', `${secret} ends in a backslash\\`],
  ];
  for (const [name, value] of cases) {
    const dir = tempDir(t);
    writeFileSync(join(dir, '.dev.vars'), 'BEFORE=1\n');
    const run = write(dir, { ALLOWED_ORIGINS: '*', [name]: value });
    assert.notEqual(run.status, 0, `${name}: the writer fails`);
    const output = run.stdout + run.stderr;
    assert.match(output, new RegExp(`\\b${name}\\b`), `${name}: the error names the variable`);
    assert.ok(!output.includes(secret), `${name}: the error does not show the value`);
    assert.equal(readFileSync(join(dir, '.dev.vars'), 'utf8'), 'BEFORE=1\n', `${name}: .dev.vars is left as it was`);
  }

  // Bytes that are not UTF-8 (wrangler reads .dev.vars as UTF-8); node can only pass strings, so bash sets them.
  const dir = tempDir(t);
  const run = spawnSync('bash', ['-c', `export WEBHOOK_HMAC_KEY=${secret}$'\\xff\\xfe'; exec bash "$0" "$1" "$2"`,
    writer, join(dir, '.dev.vars'), 'WEBHOOK_HMAC_KEY'], { env: { PATH: process.env.PATH }, encoding: 'utf8', timeout: 10_000 });
  assert.notEqual(run.status, 0, 'invalid UTF-8: the writer fails');
  assert.match(run.stderr, /\bWEBHOOK_HMAC_KEY\b/);
  assert.ok(!(run.stdout + run.stderr).includes(secret), 'invalid UTF-8: the error does not show the value');
  assert.ok(!existsSync(join(dir, '.dev.vars')), 'invalid UTF-8: no .dev.vars is written');
});

test('scripts/dev.sh writes .dev.vars with this writer', () => {
  const dev = readFileSync(join(root, 'scripts', 'dev.sh'), 'utf8');
  assert.match(dev, /^source "\$\(dirname "\$0"\)\/dev-vars\.sh"$/m);
  assert.match(dev, /^write_dev_vars \.dev\.vars [A-Z_ ]+\\$/m);
  assert.doesNotMatch(dev, /%q/, 'no bash %q quoting: dotenv does not undo it');
});
