// Shared by the benchmark scripts in bench/: where results go, and the statistics they report.
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';

/** The repository root (with a trailing slash). */
export const root = fileURLToPath(new URL('../', import.meta.url));

/** Where each benchmark writes its JSON result: `$BENCH_OUT`, else `<cargo target dir>/bench`. */
export function outDir() {
  return process.env.BENCH_OUT ?? `${process.env.CARGO_TARGET_DIR ?? `${root}target`}/bench`;
}

/**
 * Writes `<outDir>/<name>.json` for bench/report.mjs, stamped with when it was measured and the
 * machine's load average (1, 5, 15 minutes) at that time.
 */
export function writeResult(name, result) {
  mkdirSync(outDir(), { recursive: true });
  const path = `${outDir()}/${name}.json`;
  const stamp = { measuredAt: new Date().toISOString(), loadAverage: loadavg().map((l) => Number(l.toFixed(2))) };
  writeFileSync(path, `${JSON.stringify({ ...stamp, ...result }, null, 2)}\n`);
  return path;
}

/** The median of numbers (the mean of the middle two for an even count). */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** `{median, min, max}` of numbers. */
export function spread(values) {
  return { median: median(values), min: Math.min(...values), max: Math.max(...values) };
}

/** A whole number from the environment variable `name`, else `fallback`; anything else throws. */
export function envNumber(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name}: expected a positive number`);
  return value;
}
