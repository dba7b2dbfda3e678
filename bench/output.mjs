// Where the throughput benchmarks' Workers write their console lines (startStack's `outputFile`,
// bench/workerd-output.sh), and the check made of them after the runs: groupgate wrote one request
// log line for every answer the load generator received.
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { outDir } from './lib.mjs';

/** A fresh file for the console lines of Worker `id` in benchmark `bench`. */
export function outputFile(bench, id) {
  const dir = `${outDir()}/output`;
  mkdirSync(dir, { recursive: true });
  const file = `${dir}/${bench}-${id}.log`;
  rmSync(file, { force: true });
  return file;
}

/**
 * The request log lines each Worker wrote (`outputs`: by Worker id, `{file, answered}`, read once
 * its workerd has exited) beside the answers wrk received from it, by Worker id. Fails unless
 * groupgate logged every request it answered: a request cut off when a run ended may be logged
 * without being counted as answered, so there may be more lines, never fewer.
 */
export function loggedAnswers(bench, outputs) {
  const counts = Object.fromEntries(Object.entries(outputs).map(([id, { file, answered }]) => [id, { lines: requestLogLines(file), answered }]));
  const { lines, answered } = counts.gg;
  if (lines < answered) throw new Error(`${bench}: groupgate wrote ${lines} request log lines for ${answered} answers`);
  return counts;
}

/** The request log lines (console lines whose message is JSON with a `requestId` and a `status`) in `file`. */
function requestLogLines(file) {
  return readFileSync(file, 'utf8').split('\n').filter(isRequestLogLine).length;
}

/** Whether one line of workerd's structured output is a request log line. */
function isRequestLogLine(line) {
  try {
    const record = JSON.parse(JSON.parse(line).message);
    return typeof record?.requestId === 'string' && 'status' in record;
  } catch {
    return false;
  }
}
