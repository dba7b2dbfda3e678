// Where a wasm file's code goes: function body sizes summed by crate, from the name section.
//   node scripts/wasm-sizes.mjs FILE [TOP_CRATES=25] [TOP_FUNCTIONS=0]
// To look at an optimized build, keep its names: `wasm-opt -Oz -g in.wasm -o named.wasm` (the
// name section does not change the code).
import { readFileSync } from 'node:fs';

const [file, topCrates = '25', topFunctions = '0'] = process.argv.slice(2);
const buf = readFileSync(file);
let p = 8; // after the magic number and version
const leb = () => {
  let result = 0, shift = 0, byte;
  do {
    byte = buf[p++];
    result |= (byte & 0x7f) << shift;
    shift += 7;
  } while (byte & 0x80);
  return result >>> 0;
};
const skipLimits = () => { const flags = buf[p++]; leb(); if (flags & 1) leb(); };

let importedFunctions = 0;
const bodies = [];
const names = new Map();
const sections = {};
while (p < buf.length) {
  const id = buf[p++];
  const end = leb() + p;
  if (id === 0) {
    const length = leb();
    const name = buf.subarray(p, p + length).toString();
    p += length;
    sections[name] = end - p;
    if (name === 'name') {
      while (p < end) {
        const sub = buf[p++];
        const subEnd = leb() + p;
        if (sub === 1) {
          for (let n = leb(); n > 0; n--) {
            const index = leb();
            const length = leb();
            names.set(index, buf.subarray(p, p + length).toString());
            p += length;
          }
        }
        p = subEnd;
      }
    }
  } else {
    sections[id] = end - p;
    if (id === 2) { // imports: count the functions, which come first in the index space
      for (let n = leb(); n > 0; n--) {
        for (let k = 0; k < 2; k++) { const length = leb(); p += length; } // module and field names
        const kind = buf[p++];
        if (kind === 0) { leb(); importedFunctions++; }
        else if (kind === 1) { p++; skipLimits(); }
        else if (kind === 2) skipLimits();
        else if (kind === 3) p += 2;
        else if (kind === 4) { p++; leb(); }
      }
    }
    if (id === 10) for (let n = leb(); n > 0; n--) { const size = leb(); bodies.push(size); p += size; }
  }
  p = end;
}

/** The crate of a (possibly mangled) function name. */
function crateOf(name) {
  let m = name.match(/^_ZN(\d+)/);
  if (m) {
    const segment = name.slice(3 + m[1].length, 3 + m[1].length + Number(m[1]));
    return segment.replace(/^_?\$LT\$/, '').replace(/^\$RF\$/, '').match(/^[A-Za-z_]\w*/)?.[0] ?? segment;
  }
  if ((m = name.match(/Cs[0-9A-Za-z]+_(\d+)([A-Za-z_]\w*)/))) return m[2].slice(0, Number(m[1]));
  m = name.replace(/^<+(impl )?&?(mut )?/, '').match(/^([A-Za-z_]\w*)/);
  return m ? m[1] : name.slice(0, 30);
}

const byCrate = new Map();
bodies.forEach((size, i) => {
  const crate = crateOf(names.get(i + importedFunctions) ?? '?');
  byCrate.set(crate, (byCrate.get(crate) ?? 0) + size);
});
console.log(`${file}: ${buf.length} B; sections (id or name: bytes)`, sections);
console.log(`code: ${bodies.reduce((a, b) => a + b, 0)} B in ${bodies.length} functions`);
[...byCrate].sort((a, b) => b[1] - a[1]).slice(0, Number(topCrates))
  .forEach(([crate, size]) => console.log(String(size).padStart(8), crate));
bodies.map((size, i) => [size, names.get(i + importedFunctions) ?? '?']).sort((a, b) => b[0] - a[0])
  .slice(0, Number(topFunctions)).forEach(([size, name]) => console.log(String(size).padStart(8), name));
