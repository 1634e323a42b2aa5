/**
 * Random OTLP/protobuf ExportTraceServiceRequests written field by field (shuffled field order,
 * unknown fields, edge values) for the wire-reader differential test.
 */

/** Deterministic PRNG (mulberry32), so a failure reproduces. */
export function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Gen {
  constructor(private readonly rnd: () => number) {}
  int(n: number): number {
    return Math.floor(this.rnd() * n);
  }
  chance(p: number): boolean {
    return this.rnd() < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)] as T;
  }
}

const varint = (v: bigint): number[] => {
  let x = BigInt.asUintN(64, v);
  const out: number[] = [];
  while (x >= 0x80n) {
    out.push(Number(x & 0x7fn) | 0x80);
    x >>= 7n;
  }
  out.push(Number(x));
  return out;
};
const tag = (field: number, wt: number) => varint(BigInt(field * 8 + wt));
const len = (field: number, body: number[]) => [...tag(field, 2), ...varint(BigInt(body.length)), ...body];
const str = (field: number, s: string | Buffer) =>
  len(field, [...(typeof s === 'string' ? Buffer.from(s) : s)]);
const fixed64 = (field: number, v: bigint) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt.asUintN(64, v));
  return [...tag(field, 1), ...b];
};
const fixed32 = (field: number, v: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(v >>> 0);
  return [...tag(field, 5), ...b];
};
const double = (field: number, v: number) => {
  const b = Buffer.alloc(8);
  b.writeDoubleLE(v);
  return [...tag(field, 1), ...b];
};
const vint = (field: number, v: bigint) => [...tag(field, 0), ...varint(v)];

const STRINGS = [
  '',
  'a',
  'http.method',
  'service.name',
  'x'.repeat(200),
  'é€😀',
  'a\uFFFDb',
  '7',
  '__proto__',
  'q"\\\t\u007f',
];
const INTS = [0n, 1n, -1n, 127n, 128n, 2n ** 31n, -(2n ** 31n), 2n ** 53n + 1n, 2n ** 63n - 1n, -(2n ** 63n)];
const DOUBLES = [
  0,
  -0,
  0.5,
  5,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  1e300,
  5e-324,
];

function message(g: Gen, fields: number[][]): number[] {
  // Any field order, and now and then unknown fields of every wire type in between.
  const list = [...fields];
  for (let i = list.length - 1; i > 0; i--) {
    const j = g.int(i + 1);
    [list[i], list[j]] = [list[j] as number[], list[i] as number[]];
  }
  if (g.chance(0.15)) list.splice(g.int(list.length + 1), 0, unknownField(g));
  return list.flat();
}

function unknownField(g: Gen): number[] {
  const field = 17 + g.int(100);
  switch (g.int(5)) {
    case 0:
      return vint(field, g.pick(INTS));
    case 1:
      return fixed64(field, 7n);
    case 2:
      return str(field, 'unknown');
    case 3:
      return fixed32(field, 9);
    default:
      return [...tag(field, 3), ...vint(1, 5n), ...str(2, 'g'), ...tag(field, 4)];
  }
}

function anyValue(g: Gen, depth: number): number[] {
  const f: number[][] = [];
  switch (g.int(depth > 10 ? 5 : 8)) {
    case 0:
      f.push(str(1, g.pick(STRINGS)));
      break;
    case 1:
      f.push(vint(2, g.pick([0n, 1n, 2n, 2n ** 32n])));
      break;
    case 2:
      f.push(vint(3, g.pick(INTS)));
      break;
    case 3:
      f.push(double(4, g.pick(DOUBLES)));
      break;
    case 4:
      f.push(str(7, Buffer.from([g.int(256), 0, 255])));
      break;
    case 5:
      f.push(
        len(
          5,
          message(
            g,
            Array.from({ length: g.int(3) }, () => len(1, anyValue(g, depth + 1))),
          ),
        ),
      );
      break;
    case 6:
      f.push(
        len(
          6,
          message(
            g,
            Array.from({ length: g.int(3) }, () => len(1, keyValue(g, depth + 1))),
          ),
        ),
      );
      break;
    default:
    // no value at all
  }
  return message(g, f);
}

function keyValue(g: Gen, depth: number): number[] {
  const f = [str(1, g.pick(STRINGS))];
  if (g.chance(0.95)) f.push(len(2, anyValue(g, depth)));
  return message(g, f);
}

const attrs = (g: Gen, field: number, max: number) =>
  Array.from({ length: g.int(max) }, () => len(field, keyValue(g, 0)));

function id(g: Gen, size: number): Buffer {
  if (g.chance(0.03)) return Buffer.alloc(g.pick([0, size - 1, size + 1]), 1);
  if (g.chance(0.02)) return Buffer.alloc(size, 0);
  return Buffer.from(Array.from({ length: size }, () => g.int(256)));
}

function spanBytes(g: Gen): number[] {
  const f = [str(1, id(g, 16)), str(2, id(g, 8)), str(5, g.pick(STRINGS))];
  if (g.chance(0.5)) f.push(str(4, id(g, 8)));
  if (g.chance(0.2)) f.push(str(3, g.pick(STRINGS)));
  if (g.chance(0.9)) f.push(vint(6, g.pick([0n, 1n, 2n, 3n, 5n, 6n, -1n])));
  if (g.chance(0.9)) f.push(fixed64(7, g.pick([0n, 1700000000000000123n, 2n ** 64n - 1n, 999n])));
  if (g.chance(0.9)) f.push(fixed64(8, g.pick([0n, 1700000000000100999n, 2n ** 63n])));
  if (g.chance(0.1)) f.push(fixed64(8, 1700000000000200000n)); // a repeated scalar: the last counts
  f.push(...attrs(g, 9, 14));
  for (const [field, chance] of [
    [10, 0.1],
    [12, 0.1],
    [14, 0.1],
  ] as const)
    if (g.chance(chance)) f.push(vint(field, BigInt(g.int(5))));
  for (let i = g.int(g.chance(0.2) ? 5 : 1); i > 0; i--) {
    const e = [fixed64(1, 1700000000000000999n), str(2, g.pick(STRINGS)), ...attrs(g, 3, 3)];
    if (g.chance(0.2)) e.push(vint(4, 2n));
    f.push(len(11, message(g, e)));
  }
  for (let i = g.int(g.chance(0.2) ? 5 : 1); i > 0; i--) {
    const l = [str(1, id(g, 16)), str(2, id(g, 8)), ...attrs(g, 4, 2)];
    if (g.chance(0.3)) l.push(str(3, g.pick(STRINGS)));
    if (g.chance(0.3)) l.push(fixed32(6, g.int(1024)));
    if (g.chance(0.3)) l.push(vint(5, 1n));
    f.push(len(13, message(g, l)));
  }
  if (g.chance(0.5)) {
    const st = [vint(3, g.pick([0n, 1n, 2n, 3n]))];
    if (g.chance(0.5)) st.push(str(2, g.pick(STRINGS)));
    f.push(len(15, message(g, st)));
  }
  if (g.chance(0.2)) f.push(fixed32(16, g.int(2 ** 31)));
  return message(g, f);
}

export function requestBytes(g: Gen): Buffer {
  const rss = Array.from({ length: 1 + g.int(3) }, () => {
    const rs: number[][] = [];
    if (g.chance(0.9)) {
      const res = attrs(g, 1, 4);
      if (g.chance(0.2)) res.push(vint(2, 3n));
      rs.push(len(1, message(g, res)));
    }
    if (g.chance(0.2)) rs.push(str(3, g.pick(STRINGS)));
    for (let i = g.int(3); i >= 0; i--) {
      const ss: number[][] = [];
      if (g.chance(0.8)) {
        const sc = attrs(g, 3, 2);
        if (g.chance(0.7)) sc.push(str(1, g.pick(STRINGS)));
        if (g.chance(0.5)) sc.push(str(2, g.pick(STRINGS)));
        if (g.chance(0.2)) sc.push(vint(4, 1n));
        ss.push(len(1, message(g, sc)));
      }
      if (g.chance(0.2)) ss.push(str(3, g.pick(STRINGS)));
      for (let j = g.int(4); j > 0; j--) ss.push(len(2, spanBytes(g)));
      rs.push(len(2, message(g, ss)));
    }
    return len(1, message(g, rs));
  });
  return Buffer.from(message(g, rss));
}
