// Rewrites one `<!-- name:begin -->…<!-- name:end -->` section of SECURITY.md.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const SECURITY = fileURLToPath(new URL('../SECURITY.md', import.meta.url));

/** Replaces the text between the `name` markers of SECURITY.md with `text`. */
export function writeSecuritySection(name, text) {
  const begin = `<!-- ${name}:begin -->`;
  const end = `<!-- ${name}:end -->`;
  const doc = readFileSync(SECURITY, 'utf8');
  const from = doc.indexOf(begin);
  const to = doc.indexOf(end);
  if (from < 0 || to < from) throw new Error(`SECURITY.md has no ${begin} … ${end} section`);
  writeFileSync(SECURITY, `${doc.slice(0, from + begin.length)}\n${text.trim()}\n${doc.slice(to)}`);
}
