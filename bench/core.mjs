// The core benchmark's figures: criterion's estimates (benches/core.rs) read back from
// `<cargo target dir>/criterion/<bench>/new/estimates.json`. Writes core.json.
//
//   cargo bench --bench core -- --warm-up-time 1 --measurement-time 3 && node bench/core.mjs
import { readFileSync } from 'node:fs';
import { root, writeResult } from './lib.mjs';

/** The benchmarks of benches/core.rs and what each parses. */
const BENCHES = {
  add_participants_5: '`POST /api/default/groups/{id}/participants/add`, 5 participants (mixed `@c.us`, `@s.whatsapp.net`, `@lid`)',
  list_groups_query: '`GET /api/default/groups?limit=50&offset=100&sortBy=subject&sortOrder=desc&exclude=participants`',
};

const target = process.env.CARGO_TARGET_DIR ?? `${root}target`;
const benches = Object.entries(BENCHES).map(([id, title]) => {
  const { median } = JSON.parse(readFileSync(`${target}/criterion/${id}/new/estimates.json`, 'utf8'));
  return { id, title, medianNs: median.point_estimate, lowNs: median.confidence_interval.lower_bound, highNs: median.confidence_interval.upper_bound };
});
writeResult('core', { benches });
