// Assembles BENCHMARKS.md from what the benchmarks wrote (<out>/*.json, see lib.mjs) and the prose
// in bench/notes/*.md, whose {{placeholders}} are filled with measured figures: no figure in the
// file is typed by hand. A section whose benchmark has not run yet says so (partial runs:
// BENCH_ONLY in scripts/bench.sh). Every target is printed beside its figure with met/missed,
// and each missed one is followed by its notes/<target>.md ("where the remaining cost is"; the
// Worker's size note stands under Sizes when its target is met).
//
//   node bench/report.mjs     (scripts/bench.sh runs it last)
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { outDir, root } from './lib.mjs';

const KIB = 1024;

/** The result `<out>/<name>.json`, or undefined when that benchmark has not run. */
function result(name) {
  const path = `${outDir()}/${name}.json`;
  return existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : undefined;
}

/**
 * bench/notes/<name>.md with each `{{key}}` replaced by `figures[key]`. A figure this run did not
 * measure (a part left out by BENCH_ONLY, or a misspelt key) reads "not measured" and is named on
 * stderr.
 */
function note(name, figures = {}) {
  const text = readFileSync(`${root}bench/notes/${name}.md`, 'utf8');
  return text.replace(/\{\{(\w+)\}\}/g, (_, key) => {
    if (key in figures) return String(figures[key]);
    process.stderr.write(`bench/notes/${name}.md: no figure for {{${key}}} in these results\n`);
    return '*(not measured)*';
  }).trimEnd();
}

/** The first line a command prints, or `not found`. */
function version(command, args) {
  try {
    return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim().split('\n')[0];
  } catch (err) {
    const out = `${err.stdout ?? ''}`.trim();
    return out ? out.split('\n')[0] : 'not found';
  }
}

/** The version of an npm package as installed in the repository (resolved from `from`). */
function npmVersion(name, from = `${root}package.json`) {
  try {
    return createRequire(from)(`${name}/package.json`).version;
  } catch {
    return 'not installed';
  }
}

const int = (n) => Math.round(n).toLocaleString('en-US');
const ratio = (r) => `${r.toFixed(2)}×`;
/** A ratio beside its thresholds: with three decimals where two would round it onto one of them. */
const ratioBeside = (r, ...thresholds) => (thresholds.some((t) => r.toFixed(2) === t.toFixed(2) && r !== t) ? `${r.toFixed(3)}×` : ratio(r));
const range = (s, f) => `${f(s.median)} [${f(s.min)}–${f(s.max)}]`;
const when = (r) => `measured ${r.measuredAt.slice(0, 16).replace('T', ' ')} UTC, load average ${r.loadAverage.join(' / ')}`;
const notRun = (what, only) => `*Not measured yet: run \`make bench\` (or \`BENCH_ONLY=${only} make bench\`) for ${what}.*`;

const http = result('http');
const cold = result('coldstart');
const sizes = result('sizes');
const core = result('core');
const browser = result('browser');
const profile = result('profile');
const paired = result('paired');
const run = result('run');
const coldRun = result('bench-cold');

/** The steps of a run of `make bench` with their seconds: "tools 3 s, build-worker 41 s, …". */
const stepTimes = (r) => (r.steps ?? []).map((step) => `${step.name} ${int(step.seconds)} s`).join(', ');
/** What a run's tools step installed: ", installing …", or ", every tool already installed" ("" when not recorded). */
const installedPhrase = (r) => {
  if (!r.installed) return '';
  const list = r.installed.length > 1 ? `${r.installed.slice(0, -1).join(', ')} and ${r.installed.at(-1)}` : r.installed[0];
  return list ? `, installing ${list}` : ', every tool already installed';
};
/** The longest a full `make bench` may take on a fresh machine, tools, builds and report included. */
const FRESH_RUN_SECONDS = 15 * 60;

/** Every target: `{id, figure, measured (text), target (text), met, minimum?}`; undefined when not measured. */
function targets() {
  const list = [];
  const route = (id) => http?.routes.find((r) => r.id === id);
  for (const id of ['list', 'group']) {
    const r = route(id);
    if (r) list.push({ id: 'http-unlimited', figure: `${r.title}: groupgate / baseline (a), req/s`, value: r.ratioToA.median, measured: ratioBeside(r.ratioToA.median, 0.9, 0.8), target: '≥ 0.90×', minimum: '≥ 0.80×', met: r.ratioToA.median >= 0.9, minimumMet: r.ratioToA.median >= 0.8 });
  }
  const add = route('add');
  if (add) {
    list.push({ id: 'http-limited-b', figure: 'one-person add (limited): groupgate / baseline (b), req/s', measured: ratioBeside(add.ratioToB.median, 0.9), target: '≥ 0.90×', met: add.ratioToB.median >= 0.9 });
    list.push({ id: 'http-limited-a', figure: 'one-person add (limited): groupgate / baseline (a), req/s', measured: ratioBeside(add.ratioToA.median, 0.5), target: '≥ 0.50×', met: add.ratioToA.median >= 0.5 });
  }
  if (sizes) {
    const gz = sizes.worker.upload.gzipKiB;
    list.push({ id: 'worker-size', figure: 'Worker upload, gzip (`wrangler deploy --dry-run`)', measured: `${gz} KiB`, target: '≤ 150 KiB', minimum: '≤ 200 KiB', met: gz <= 150, minimumMet: gz <= 200 });
    const both = sizes.browser.wasm.gzip + sizes.browser.glue.gzip;
    list.push({ id: 'browser-size', figure: 'browser module, wasm + glue, gzip -9', measured: `${int(both)} B (${(both / KIB).toFixed(1)} KiB)`, target: '≤ 48 KiB', met: both <= 48 * KIB });
  }
  const add5 = core?.benches.find((b) => b.id === 'add_participants_5');
  if (add5) list.push({ id: 'core-native', figure: 'core: parse + validate + render, 5-person add, native (criterion median)', measured: `${(add5.medianNs / 1000).toFixed(2)} µs`, target: '< 5 µs', met: add5.medianNs < 5000 });
  if (browser) list.push({ id: 'core-browser', figure: 'browser: parse + validate + render of the 5-person add, `validateRequest` (Chromium)', measured: `${browser.checkedUs.median.toFixed(2)} µs`, target: '< 5 µs', met: browser.checkedUs.median < 5 });
  if (coldRun) {
    const minutes = `${Math.floor(coldRun.seconds / 60)} min ${coldRun.seconds % 60} s`;
    list.push({ id: 'bench-cold', figure: `\`make bench\` end to end, from an empty cargo target directory${installedPhrase(coldRun)} (run of ${coldRun.measuredAt.slice(0, 10)})`, measured: `${int(coldRun.seconds)} s (${minutes})`, target: '< 15 min', met: coldRun.seconds < FRESH_RUN_SECONDS });
  }
  return list;
}

function runSection() {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const miniflare = `${root}node_modules/miniflare/package.json`;
  const lines = [
    '## The run',
    '',
    `- Machine: ${os.cpus().length} cores (\`nproc\`), ${cpu}, ${os.type()} ${os.release()}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB; load average when each part was measured is given with it (other work on the machine makes the figures noisy).`,
    `- Versions: ${version('rustc', ['-V'])}; ${version('wasm-bindgen', ['--version'])}; ${version('wasm-opt', ['--version'])}; workerd ${npmVersion('workerd', miniflare)} through Miniflare ${npmVersion('miniflare')}; wrangler ${npmVersion('wrangler')}; Node ${process.version}; ${version('wrk', ['-v']).replace(/ Copyright.*/, '')}; ${version('/usr/bin/chromium', ['--version'])}.`,
    ...(run ? [`- Duration: the last \`make bench\` (parts: ${run.parts.join(', ')}) took ${int(run.seconds)} s, builds included${run.steps ? ` (${stepTimes(run)}), ${run.coldTarget ? 'from an empty cargo target directory' : 'with the builds of earlier runs in the cargo target directory'}${installedPhrase(run)}` : ''}; it ended ${run.measuredAt.slice(0, 16).replace('T', ' ')} UTC.`] : []),
    ...(coldRun && coldRun.startedAt !== run?.startedAt ? [`- From an empty cargo target directory, as on a fresh machine, the last full run took ${int(coldRun.seconds)} s (${stepTimes(coldRun)})${installedPhrase(coldRun)}; it ended ${coldRun.measuredAt.slice(0, 16).replace('T', ' ')} UTC.`] : []),
    `- Report assembled ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC from the results in the cargo target directory (\`bench/\`).`,
    note('run'),
  ];
  return lines.join('\n');
}

function targetsSection(list) {
  const lines = ['## Targets', '', '| figure | measured | target | minimum acceptable | |', '|---|---|---|---|---|'];
  for (const t of list) {
    const verdict = t.met ? 'met' : t.minimum && t.minimumMet ? '**missed** (minimum met)' : '**missed**';
    lines.push(`| ${t.figure} | ${t.measured} | ${t.target} | ${t.minimum ?? '–'} | ${verdict} |`);
  }
  if (list.length === 0) lines.push('| *nothing measured yet* | | | | |');
  return lines.join('\n');
}

function httpSection() {
  const lines = ['## Requests per second: groupgate against plain JavaScript Workers', ''];
  if (!http) return [...lines, notRun('the throughput figures', 'http')].join('\n');
  const s = http.settings;
  lines.push(note('http', {
    rounds: s.rounds, seconds: s.seconds, warmup: s.warmupSeconds, connections: s.connections, addsPerSession: s.addsPerSession,
    stubRps: int(http.ceiling.stub), simRps: int(http.ceiling.simulator),
    groupgateVars: Object.entries(s.groupgateVars).map(([name, value]) => `\`${name}=${value}\``).join(', '),
    logLines: http.logLines ? `groupgate wrote ${int(http.logLines.gg.lines)} request log lines for ${int(http.logLines.gg.answered)} answers` : 'not counted in the run these figures come from',
  }));
  lines.push('', `Figures: ${when(http)}. Each cell: median [min–max] over the rounds; a ratio is groupgate's req/s over the baseline's in the same round.`, '');
  lines.push('| route | Worker | req/s | p50 latency, ms | groupgate / (a) | groupgate / (b) | groupgate / (c) |', '|---|---|---|---|---|---|---|');
  for (const r of http.routes) {
    for (const [w, figures] of Object.entries(r.workers)) {
      const gg = w === 'gg';
      lines.push(`| ${w === Object.keys(r.workers)[0] ? r.title : ''} | ${http.workers[w]} (answers ${r.expect[w]}) | ${range(figures.rps, int)} | ${range(figures.p50Ms, (x) => x.toFixed(2))} | ${gg ? `**${range(r.ratioToA, ratio)}**` : ''} | ${gg && r.ratioToB ? `**${range(r.ratioToB, ratio)}**` : ''} | ${gg && r.ratioToC ? `**${range(r.ratioToC, ratio)}**` : ''} |`);
    }
  }
  return lines.join('\n');
}

function pairedSection() {
  const lines = ['### Per-request CPU, paired: a Worker and a baseline loaded at once', ''];
  if (!paired) return [...lines, notRun('the paired figures', 'paired')].join('\n');
  if (paired.skipped) return [...lines, `Not run on this machine: it ${paired.skipped}.`].join('\n');
  const s = paired.settings;
  lines.push(note('paired', { rounds: s.rounds, seconds: s.seconds, connections: s.connections, workerCpu: s.workerCpu, loadCpu: s.loadCpu }));
  lines.push('', `Figures: ${when(paired)}. Each cell: median [min–max] over the rounds.`, '');
  lines.push('| route | reached | Worker | baseline | baseline, CPU µs per request | Worker, CPU µs per request | Worker / baseline, CPU per request | Worker / baseline, req/s while sharing |', '|---|---|---|---|---|---|---|---|');
  const us = (x) => x.toFixed(0);
  const reached = { entry: 'through Miniflare\'s entry worker', direct: 'on its own socket' };
  for (const p of paired.pairs) {
    lines.push(`| ${p.title} | ${reached[p.via ?? 'entry']} | ${paired.workers[p.subject]} | ${paired.workers[p.base]} | ${range(p.baseUs, us)} | ${range(p.subjectUs, us)} | **${range(p.cpuRatio, ratio)}** | ${range(p.rpsRatio, ratio)} |`);
  }
  return lines.join('\n');
}

function coldSection() {
  const lines = ['## Cold start', ''];
  if (!cold) return [...lines, notRun('the cold start', 'coldstart')].join('\n');
  lines.push(note('coldstart', { samples: cold.samples }), '', `Figures: ${when(cold)}; ms, median [min–max].`, '');
  lines.push('| Worker | start to `ready` | first answer after `ready` | total |', '|---|---|---|---|');
  const ms = (x) => x.toFixed(1);
  for (const [w, label] of [['a', 'baseline (a): JS pass-through'], ['gg', 'groupgate']]) {
    const c = cold.workers[w];
    lines.push(`| ${label} | ${range(c.readyMs, ms)} | ${range(c.firstRequestMs, ms)} | **${range(c.totalMs, ms)}** |`);
  }
  return lines.join('\n');
}

/** The sizes; what the Worker is made of is told here when its target is met (else with the missed targets). */
function sizesSection(list) {
  const lines = ['## Sizes', ''];
  if (!sizes) return [...lines, notRun('the sizes', 'sizes')].join('\n');
  const w = sizes.worker;
  const b = sizes.browser;
  lines.push(`Figures: ${when(sizes)}.`, '');
  lines.push('| artifact | size | gzip |', '|---|---|---|');
  lines.push(`| **Worker** upload, as \`wrangler deploy --dry-run\` reports it (Total Upload) | ${w.upload.totalKiB} KiB | **${w.upload.gzipKiB} KiB** |`);
  lines.push(`| of which \`build/index_bg.wasm\` (gzip -9) | ${int(w.wasm.bytes)} B | ${int(w.wasm.gzip)} B |`);
  lines.push(`| browser module \`pkg/groupgate_bg.wasm\` (gzip -9) | ${int(b.wasm.bytes)} B | ${int(b.wasm.gzip)} B |`);
  lines.push(`| browser module \`pkg/groupgate.js\` and its snippets (gzip -9) | ${int(b.glue.bytes)} B | ${int(b.glue.gzip)} B |`);
  lines.push(`| **browser module, wasm + glue** | ${int(b.wasm.bytes + b.glue.bytes)} B | **${int(b.wasm.gzip + b.glue.gzip)} B** |`);
  lines.push('', note('sizes'));
  if (list.find((t) => t.id === 'worker-size')?.met) lines.push('', note('worker-size', remainingFigures()));
  return lines.join('\n');
}

function coreSection() {
  const lines = ['## Core: parse + validate + render', ''];
  if (!core) lines.push(notRun('the criterion figures', 'core'));
  else {
    lines.push(note('core'), '', `Figures: ${when(core)}.`, '');
    lines.push('| request | ns / request (criterion median, [95 % confidence interval]) |', '|---|---|');
    for (const b of core.benches) lines.push(`| ${b.title} | **${int(b.medianNs)} ns** [${int(b.lowNs)}, ${int(b.highNs)}] |`);
  }
  lines.push('', '### The browser path (headless Chromium)', '');
  if (!browser) lines.push(notRun('the browser path', 'browser'));
  else {
    const us = (x) => x.toFixed(2);
    lines.push(note('browser', { calls: int(browser.calls), batches: browser.batches }), '', `Figures: ${when(browser)}; ${browser.chromium ? `Chromium ${browser.chromium}` : ''}; µs per call, median [min–max] over the batches.`, '');
    lines.push('| call | µs per call |', '|---|---|');
    lines.push(`| \`validateRequest('POST', '/api/default/groups/{id}/participants/add', body)\`: parse + validate + render | **${range(browser.checkedUs, us)}** |`);
    lines.push(`| \`addParticipants(id, 5 people, {signal: aborted})\`: read, validated, refused before sending | ${range(browser.validatedUs, us)} |`);
    lines.push(`| \`addParticipants(id, 5 people, 42)\`: read, refused before validation | ${range(browser.refusedBeforeValidationUs, us)} |`);
    lines.push(`| difference: the validation | ${range(browser.validationUs, us)} |`);
  }
  return lines.join('\n');
}

function profileSection() {
  const lines = ["## Where the Worker's time goes (CPU profile)", ''];
  if (!profile) return [...lines, notRun('the profile', 'profile')].join('\n');
  lines.push(note('profiling', { requests: int(profile.routes[0].requests) }), '', `Figures: ${when(profile)}; self time per request, µs (sampled time divided by the requests).`, '');
  const us = (x) => x.toFixed(1);
  for (const r of profile.routes) {
    const busy = r.parts.filter(([part]) => !part.startsWith('idle')).reduce((sum, [, t]) => sum + t, 0);
    lines.push(`${r.title}: ${int(r.requests)} requests in ${int(r.elapsedMs)} ms while profiled.`, '');
    lines.push('| part | µs per request | share of the busy time |', '|---|---|---|');
    for (const [part, t] of r.parts) lines.push(`| ${part} | ${us(t)} | ${part.startsWith('idle') ? '' : `${((100 * t) / busy).toFixed(0)} %`} |`);
    lines.push('', 'Heaviest functions by self time:', '', '| function | µs per request |', '|---|---|');
    for (const [name, t] of r.top) lines.push(`| \`${name}\` | ${us(t)} |`);
    lines.push('');
  }
  return lines.join('\n').trimEnd();
}

/** One "where the remaining cost is" paragraph per missed target (once per target id). */
function remainingSection(list) {
  const missed = [...new Set(list.filter((t) => !t.met).map((t) => t.id))];
  if (missed.length === 0) return '';
  const figures = remainingFigures();
  return ['## Where the remaining cost is', '', ...missed.map((id) => `${note(id, figures)}\n`)].join('\n').trimEnd();
}

/** The difference of two times per request, from `from` µs to `to` µs: "12 µs more" or "3 µs less". */
const usMore = (from, to) => `${Math.abs(to - from).toFixed(0)} µs ${to >= from ? 'more' : 'less'}`;

/** Figures the "remaining cost" notes may quote. */
function remainingFigures() {
  const route = (id) => http?.routes.find((r) => r.id === id);
  const f = {};
  for (const id of ['list', 'group', 'add', 'refused', 'invalid']) {
    const r = route(id);
    if (!r) continue;
    f[`${id}Ratio`] = ratioBeside(r.ratioToA.median, 0.9, 0.8);
    for (const [w, x] of Object.entries(r.workers)) {
      f[`${id}Rps_${w}`] = int(x.rps.median);
      f[`${id}UsPerRequest_${w}`] = (1e6 / x.rps.median).toFixed(0);
    }
    if (r.ratioToB) f[`${id}RatioB`] = ratio(r.ratioToB.median);
    if (r.ratioToC) f[`${id}RatioC`] = ratio(r.ratioToC.median);
  }
  /** µs per request of Worker `w` on route `id`: the inverse of its median req/s. */
  const usPer = (id, w) => 1e6 / route(id).workers[w].rps.median;
  if (f.listRps_a) f.listExtraUs = usMore(usPer('list', 'a'), usPer('list', 'gg'));
  if (f.listRps_c) {
    f.listShapedRatio = ratio(usPer('list', 'a') / usPer('list', 'c'));
    f.listShapedUs = usMore(usPer('list', 'a'), usPer('list', 'c'));
    f.listOwnUs = usMore(usPer('list', 'c'), usPer('list', 'gg'));
  }
  if (f.addRps_b) {
    f.addExtraUsOverB = usMore(usPer('add', 'b'), usPer('add', 'gg'));
    f.addKvUs = usMore(usPer('add', 'a'), usPer('add', 'b'));
  }
  if (coldRun) Object.assign(f, { coldSeconds: int(coldRun.seconds), coldSteps: stepTimes(coldRun) });
  if (sizes) {
    Object.assign(f, {
      workerGzipKiB: sizes.worker.upload.gzipKiB,
      workerWasmGzipKiB: (sizes.worker.wasm.gzip / KIB).toFixed(1),
      workerWasmKiB: (sizes.worker.wasm.bytes / KIB).toFixed(1),
      workerWasmCodeKiB: (sizes.worker.wasm.sections.code / KIB).toFixed(1),
      workerWasmDataKiB: (sizes.worker.wasm.sections.data / KIB).toFixed(1),
      workerWasmNamesKiB: (sizes.worker.wasm.sections.names / KIB).toFixed(1),
      browserGzipKiB: ((sizes.browser.wasm.gzip + sizes.browser.glue.gzip) / KIB).toFixed(1),
      browserWasmGzipKiB: (sizes.browser.wasm.gzip / KIB).toFixed(1),
      browserGlueGzipKiB: (sizes.browser.glue.gzip / KIB).toFixed(1),
    });
  }
  for (const r of profile?.routes ?? []) {
    const busy = r.parts.filter(([part]) => !part.startsWith('idle')).reduce((sum, [, t]) => sum + t, 0);
    const share = (prefix) => `${((100 * r.parts.find(([part]) => part.startsWith(prefix))[1]) / busy).toFixed(0)} %`;
    Object.assign(f, {
      [`${r.id}WasmShare`]: share('groupgate'),
      [`${r.id}GlueShare`]: share('JS↔wasm'),
      [`${r.id}RuntimeShare`]: share('workerd'),
      [`${r.id}TopImports`]: r.imports.map(([name]) => `\`${name}\``).join(', '),
    });
  }
  const add5 = core?.benches.find((b) => b.id === 'add_participants_5');
  if (add5) f.coreAddUs = (add5.medianNs / 1000).toFixed(2);
  if (browser) Object.assign(f, { browserCheckUs: browser.checkedUs.median.toFixed(2), browserCallUs: browser.validatedUs.median.toFixed(2), browserValidationUs: browser.validationUs.median.toFixed(2), browserBeforeUs: browser.refusedBeforeValidationUs.median.toFixed(2) });
  if (http) f.stubRps = int(http.ceiling.stub);
  // `listCpuRatio_a`: groupgate against (a); `listCpuRatio_d_a`: baseline (d) against (a), and so on.
  for (const p of paired?.pairs ?? []) {
    const key = `${p.route}CpuRatio_${p.subject === 'gg' ? '' : `${p.subject}_`}${p.base}${p.via === 'direct' ? '_direct' : ''}`;
    f[key] = ratio(p.cpuRatio.median);
  }
  if (browser && add5) f.browserOverNative = ratio((1000 * browser.checkedUs.median) / add5.medianNs);
  return f;
}

/** A section another script wrote as markdown (`<name>.json`), inside its notes. */
function writtenSection(heading, name, only) {
  const r = result(name);
  const body = r ? r.markdown.trim() : notRun('this section', only);
  return note(name, { figures: body, heading });
}

const list = targets();
const sections = [
  `# Benchmarks\n\n${note('intro')}`,
  runSection(),
  targetsSection(list),
  remainingSection(list),
  httpSection(),
  pairedSection(),
  coldSection(),
  sizesSection(list),
  coreSection(),
  profileSection(),
  writtenSection('## Rate limiting: both stores side by side', 'ratelimit', 'ratelimit'),
  (result('cache')?.markdown.trim()) ?? `## Group cache: upstream calls per 1,000 client reads\n\n${notRun('this section', 'cache')}`,
  writtenSection('## Console page weight', 'console', 'console'),
  note('history'),
].filter(Boolean);
writeFileSync(`${root}BENCHMARKS.md`, `${sections.join('\n\n')}\n`);
process.stderr.write(`BENCHMARKS.md written (${list.filter((t) => t.met).length} of ${list.length} targets met)\n`);
