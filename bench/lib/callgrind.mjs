// Reading callgrind's output: instructions per function, with V8's JIT code named from the
// --perf-basic-prof map (callgrind sees JIT code only as addresses), and a coarse category per
// function for the report.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

/** `/tmp/perf-<pid>.map` entries (start, size, name), sorted by start. */
function readPerfMap(file) {
  if (!existsSync(file)) return [];
  const entries = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const [start, size, ...name] = line.split(' ');
    if (name.length === 0) continue;
    entries.push({
      start: Number.parseInt(start, 16),
      end: Number.parseInt(start, 16) + Number.parseInt(size, 16),
      name: name.join(' '),
    });
  }
  return entries.sort((a, b) => a.start - b.start);
}

/** The map entry holding `address` (binary search), or undefined. */
function lookup(entries, address) {
  let low = 0;
  let high = entries.length - 1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    if (entries[mid].start <= address) low = mid + 1;
    else high = mid - 1;
  }
  const entry = entries[high];
  return entry !== undefined && address < entry.end ? entry : undefined;
}

/** `JS:*foo file:///…/x.js:1:2` → `foo file:///…/x.js:1:2` (the tier marks dropped). */
function jsName(perfName) {
  return `JS ${perfName.replace(/^(JS:|Function:|LazyCompile:|Builtin:)\s*[~*^+']?/, '').replace(/^'/, '')}`;
}

/** `???:v8::internal::Heap::Scavenge(int) [/path/node]` → `v8::internal::Heap::Scavenge`. */
function nativeName(text) {
  return text
    .replace(/\s*\[\/[^\]]*\]$/, '')
    .replace(/^\?\?\?:/, '')
    .replace(/^.*\/(?=[^/]+:)/, '')
    .replace(/\(.*$/, '')
    .replace(/<.*$/, '')
    .slice(0, 120);
}

/**
 * Self instructions per function of one callgrind output file, JIT code named from `perfMapFile`
 * (code the map does not cover counts as `JS (unnamed JIT code)`).
 */
export function functionCosts(outFile, perfMapFile) {
  const perf = readPerfMap(perfMapFile);
  const text = execFileSync('callgrind_annotate', ['--threshold=100', outFile], {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  const costs = new Map();
  for (const line of text.split('\n')) {
    const m = line.match(/^\s*([\d,]+)\s+(?:\(\s*[\d.]+%\)\s+)?(.+)$/);
    if (m === null || m[2].includes('PROGRAM TOTALS')) continue;
    const ir = Number(m[1].replaceAll(',', ''));
    const address = m[2].match(/^\?\?\?:0x([0-9a-f]+)\b/);
    let name;
    if (address !== null) {
      const entry = lookup(perf, Number.parseInt(address[1], 16));
      name = entry === undefined ? 'JS (unnamed JIT code)' : jsName(entry.name);
    } else {
      name = nativeName(m[2]);
    }
    costs.set(name, (costs.get(name) ?? 0) + ir);
  }
  return costs;
}

const CATEGORIES = [
  ['@autobot/tracing (JS)', /^JS .*packages\/tracing\//],
  ['OpenTelemetry API and core (JS)', /^JS .*@opentelemetry\//],
  [
    'Fastify, ioredis (JS)',
    /^JS .*node_modules\/(fastify|ioredis|light-my-request|avvio|find-my-way|@fastify)/,
  ],
  ['Node.js and undici (JS)', /^JS .*node:/],
  ['other JavaScript', /^JS /],
  [
    'garbage collection',
    /Scaveng|Marking|Sweep|Heap::|HeapObject|BodyDescriptor|Evacuat|Compactor|MarkCompact|Minor|WriteBarrier|Remembered|Slot|Ephemeron|Worklist|heap::base/,
  ],
  [
    'JIT compilers',
    /compiler::|maglev::|Turbofan|Sparkplug|baseline::|interpreter::Bytecode|FrameTranslation|Deoptimiz/,
  ],
  ['V8 builtins and inline caches', /^Builtins_/],
  ['memory allocator (libc)', /malloc|free|memset|memcpy|memmove|_int_/],
  ['parsers (llhttp, simdutf, ada)', /llhttp|simdutf|ada::/],
];

/** A coarse bucket for `name` (from {@link functionCosts}). */
export function categoryOf(name) {
  for (const [category, pattern] of CATEGORIES) if (pattern.test(name)) return category;
  return 'other native (V8 runtime, libuv, OpenSSL…)';
}

/** `scanHex /abs/…/packages/tracing/dist/hex.js:27:17` → `scanHex …/packages/tracing/dist/hex.js:27:17`. */
export function shortName(name) {
  return name.replace(/ (file:\/\/)?\/\S*\/(packages|node_modules)\//, ' …/$2/');
}

/** A function's name as two builds of a package share it: no build folder, line or column. */
function comparableName(name) {
  return shortName(name)
    .replace(/(\/packages\/[\w-]+\/)[\w.-]+\//, '$1')
    .replace(/:\d+:\d+$/, '');
}

/**
 * The functions whose instructions per request changed most from `before` to `after` (maps from
 * {@link functionCosts}, per request): the `cuts` largest decreases, then the `increases` largest
 * increases, matched by {@link comparableName}.
 */
export function changesBetween(before, after, { cuts = 8, increases = 4 } = {}) {
  const sum = (costs, sign) => {
    const out = new Map();
    for (const [name, ir] of costs) {
      const key = comparableName(name);
      out.set(key, (out.get(key) ?? 0) + sign * ir);
    }
    return out;
  };
  const change = sum(after, 1);
  for (const [key, ir] of sum(before, -1)) change.set(key, (change.get(key) ?? 0) + ir);
  const sorted = [...change].sort((a, b) => a[1] - b[1]);
  const pick = ([name, ir]) => ({ function: name, instructions: Math.round(ir) });
  return {
    cuts: sorted
      .filter(([, ir]) => ir < 0)
      .slice(0, cuts)
      .map(pick),
    increases: sorted
      .filter(([, ir]) => ir > 0)
      .reverse()
      .slice(0, increases)
      .map(pick),
  };
}
