// "By thread and kind" (bench/overhead/threads.mjs) for bench/RESULTS.md.
import { loadLine, row } from './format.mjs';

const us = (v) => v.toFixed(1);

/** One table per Node major: per request served, CPU by process and thread, syscalls, switches. */
export function renderThreads(out, major, result) {
  out(`### By thread and kind (Node ${major}, ${result.node}; counted per request)`);
  out();
  out(
    `\`node bench/overhead/threads.mjs --requests ${result.requests} --rounds ${result.rounds}\` (${result.cpu}, ${result.startedAt}): the pair of section 1, each configuration serving ${result.requests.toLocaleString('en-US')} requests per round after a warm-up of half as many, rounds alternated, medians${result.pinned ? "; A's processes pinned to CPU 0 and everything else to the other CPUs (`taskset`)" : ', nothing pinned'}. Per request served: CPU µs (user + system) of each process's main thread and of its other threads (V8's compiler and GC workers, libuv's pool), read- and write-class system calls (/proc/<pid>/io) and context switches. ${loadLine(result)}.`,
  );
  out();
  out(
    row([
      'configuration',
      'A main (user + sys)',
      'A other threads',
      'B main (user + sys)',
      'B other threads',
      'A + B',
      'A + B, lowest–highest round',
      'sink',
      'Redis',
      'A read / write calls',
      'A + B switches (voluntary / involuntary)',
    ]),
  );
  out(row(['---', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:']));
  const base = result.summary.find((s) => s.config === 'untraced');
  const total = (s) => cpu(s.a) + other(s.a) + cpu(s.b) + other(s.b);
  for (const s of result.summary) {
    const d = base && s !== base ? total(s) - total(base) : undefined;
    const growth = d === undefined ? '' : ` (${d < 0 ? '−' : '+'}${us(Math.abs(d))})`;
    out(
      row([
        s.config,
        `${us(cpu(s.a))} (${us(s.a.mainUser)} + ${us(s.a.mainSys)})`,
        us(other(s.a)),
        `${us(cpu(s.b))} (${us(s.b.mainUser)} + ${us(s.b.mainSys)})`,
        us(other(s.b)),
        `${us(total(s))}${growth}`,
        spread(result.runs.filter((r) => r.config === s.config).map(total)),
        us(cpu(s.sink) + other(s.sink)),
        us(cpu(s.redis) + other(s.redis)),
        `${s.a.readCalls.toFixed(2)} / ${s.a.writeCalls.toFixed(2)}`,
        `${(s.a.switches + s.b.switches).toFixed(2)} / ${(s.a.involuntary + s.b.involuntary).toFixed(2)}`,
      ]),
    );
  }
  out();
}

/** The lowest and highest of a configuration's rounds: how far one round can be from another. */
const spread = (xs) => (xs.length === 0 ? '' : `${us(Math.min(...xs))}–${us(Math.max(...xs))}`);
const cpu = (p) => p.mainUser + p.mainSys;
const other = (p) => p.otherUser + p.otherSys;
