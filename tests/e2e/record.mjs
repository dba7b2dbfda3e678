// What the end-to-end suites saw, kept for the secrets scan (tests/secrets/scan.test.mjs): every
// response a running stack's worker gave (status line, headers, body), every console line of the
// worker, and the secrets each stack was configured with. With GROUPGATE_E2E_RECORD set to a
// directory (scripts/test.sh does), each process appends JSON lines to its own file there;
// without it nothing is written.
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.env.GROUPGATE_E2E_RECORD;
const file = dir && join(dir, `e2e-${process.pid}.jsonl`);
/** Base URLs of the workers of running stacks: responses from these are recorded. */
const workers = new Set();
/** Response bodies still being read. */
const reading = new Set();

function write(entry) {
  if (file) appendFileSync(file, `${JSON.stringify(entry)}\n`);
}

/** Records the secrets a stack was configured with (what the scan looks for). */
export function recordSecrets(values) {
  write({ kind: 'secrets', values });
}

/** Records one console line of the worker. */
export function recordLog(level, message) {
  write({ kind: 'log', level, message });
}

/** Records the responses of the worker at `url` until the returned function is called. */
export function watchWorker(url) {
  workers.add(url);
  return () => workers.delete(url);
}

/** Waits until every response body being read is recorded. */
export async function recorded() {
  await Promise.allSettled([...reading]);
}

function recordResponse(url, res) {
  const entry = { kind: 'response', url, status: `${res.status} ${res.statusText}`, headers: [...res.headers] };
  const task = res.clone().text().then(
    (body) => write({ ...entry, body }),
    (err) => write({ ...entry, body: null, error: String(err) }),
  );
  reading.add(task);
  task.finally(() => reading.delete(task));
}

if (file) {
  // Every fetch of the process is looked at, so no test's response to a worker goes unrecorded.
  const fetchUnrecorded = globalThis.fetch;
  globalThis.fetch = async function fetchRecorded(input, init) {
    const res = await fetchUnrecorded(input, init);
    const url = String(input?.url ?? input);
    if ([...workers].some((base) => url.startsWith(`${base}/`) || url === base)) recordResponse(url, res);
    return res;
  };
}
