import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseQuery, TraceStore } from '../src/index.js';
import { batchOf, makeSpan } from './helpers.js';

let store: TraceStore;
const ids: Record<string, string> = {};

beforeAll(() => {
  store = TraceStore.open({ path: ':memory:' });
  // Trace A: backend → ai-stack slow LLM inference (6200 ms).
  const a = makeSpan({
    name: 'HTTP POST /api/chat',
    kind: 2,
    durationUs: 7_000_000,
    attributes: { 'http.method': 'POST' },
  });
  ids.a = a.traceId;
  store.insert(batchOf('autobot-backend', [a]));
  store.insert(
    batchOf('autobot-ai-stack', [
      makeSpan({
        traceId: a.traceId,
        parentSpanId: a.spanId,
        name: 'llm.inference',
        kind: 3,
        durationUs: 6_200_000,
        attributes: { 'llm.duration_ms': 6200, 'llm.model': 'mistral', 'llm.provider': 'ollama' },
      }),
    ]),
  );
  // Trace B: fast inference (120 ms) and a failed SSH distribution to frontend.
  const b = makeSpan({ name: 'HTTP POST /api/chat', kind: 2, durationUs: 500_000 });
  ids.b = b.traceId;
  store.insert(
    batchOf('autobot-backend', [
      b,
      makeSpan({
        traceId: b.traceId,
        parentSpanId: b.spanId,
        name: 'llm.inference',
        attributes: { 'llm.duration_ms': 120 },
      }),
      makeSpan({
        traceId: b.traceId,
        parentSpanId: b.spanId,
        name: 'ssh.distribute_certificates',
        statusCode: 2,
        statusMessage: 'auth failed',
        attributes: {
          'ssh.target_vm': 'frontend',
          'ssh.error_type': 'asyncssh_error',
          'ssh.files_copied': 0,
        },
      }),
    ]),
  );
  // Trace C: successful SSH to npu-worker, string-typed duration that must not compare as a number.
  const c = makeSpan({
    name: 'ssh.distribute_certificates',
    attributes: {
      'ssh.target_vm': 'npu-worker',
      'ssh.files_copied': 3,
      'llm.duration_ms': '9999',
      flag: true,
    },
  });
  ids.c = c.traceId;
  store.insert(batchOf('autobot-pki', [c], { 'host.name': 'vm3' }));
});
afterAll(() => store.close());

function find(q: string): string[] {
  return store
    .search({ query: parseQuery(q), limit: 20 })
    .map((t) => t.traceID)
    .sort();
}

describe('store search', () => {
  it('answers the spec example llm.duration_ms > 5000 with numeric comparison', () => {
    expect(find('llm.duration_ms > 5000')).toEqual([ids.a]);
  });

  it('answers ssh.error_type = asyncssh_error', () => {
    expect(find('ssh.error_type = asyncssh_error')).toEqual([ids.b]);
  });

  it('answers ssh.target_vm = frontend', () => {
    expect(find('ssh.target_vm = frontend')).toEqual([ids.b]);
  });

  it('supports every comparison operator', () => {
    expect(find('ssh.files_copied >= 3')).toEqual([ids.c]);
    expect(find('ssh.files_copied < 3')).toEqual([ids.b]);
    expect(find('ssh.files_copied <= 3').length).toBe(2);
    expect(find('ssh.target_vm != frontend')).toEqual([ids.c]);
    expect(find('ssh.target_vm =~ "front.*"')).toEqual([ids.b]);
    expect(find('ssh.target_vm !~ "front.*"')).toEqual([ids.c]);
    expect(find('llm.duration_ms = 120')).toEqual([ids.b]);
    expect(find('llm.duration_ms = "9999"')).toEqual([ids.c]);
    expect(find('flag = true')).toEqual([ids.c]);
  });

  it('regex with a literal prefix (checked in SQL first) answers like the plain regex', () => {
    expect(find('ssh.target_vm =~ "frontend"')).toEqual([ids.b]);
    expect(find('ssh.target_vm =~ "fronte?x?nd"')).toEqual([ids.b]);
    expect(find('ssh.target_vm =~ "npu-.+"')).toEqual([ids.c]);
    expect(find('ssh.target_vm =~ "npu.*|front.*"')).toEqual([ids.b, ids.c].sort());
    expect(find('ssh.target_vm !~ "npu-.+"')).toEqual([ids.b]);
    expect(find('ssh.target_vm !~ "zzz.*"')).toEqual([ids.b, ids.c].sort());
    // Not a text value: never matches, with or without the prefix check.
    expect(find('ssh.files_copied =~ "3.*"')).toEqual([]);
    expect(find('ssh.files_copied !~ "3.*"')).toEqual([]);
  });

  it('supports and / or / not / parentheses on the same span', () => {
    expect(find('ssh.target_vm = frontend and status = error')).toEqual([ids.b]);
    expect(find('ssh.target_vm = frontend and ssh.files_copied = 3')).toEqual([]);
    expect(find('ssh.target_vm = frontend or llm.duration_ms > 5000')).toEqual([ids.a, ids.b].sort());
    expect(find('(llm.model = mistral or llm.duration_ms < 200) and not llm.duration_ms > 5000')).toEqual([
      ids.b,
    ]);
  });

  it('supports intrinsics and scopes', () => {
    expect(find('service = autobot-ai-stack')).toEqual([ids.a]);
    expect(find('service =~ "autobot-(pki|ai-stack)"')).toEqual([ids.a, ids.c].sort());
    expect(find('name = "ssh.distribute_certificates"')).toEqual([ids.b, ids.c].sort());
    expect(find('duration > 2s')).toEqual([ids.a]);
    expect(find('duration < 1ms').length).toBe(0);
    expect(find('status = error')).toEqual([ids.b]);
    expect(find('kind = client')).toEqual([ids.a]);
    expect(find('kind = server')).toEqual([ids.a, ids.b].sort());
    expect(find('resource.host.name = vm3')).toEqual([ids.c]);
    expect(find('host.name = vm3')).toEqual([ids.c]);
    expect(find('span.host.name = vm3')).toEqual([]);
    expect(find('span.ssh.target_vm = frontend')).toEqual([ids.b]);
    expect(find(`traceId = ${ids.c}`)).toEqual([ids.c]);
  });

  it('returns trace summaries', () => {
    const [t] = store.search({ query: parseQuery('ssh.target_vm = frontend'), limit: 5 });
    expect(t).toMatchObject({
      traceID: ids.b,
      rootService: 'autobot-backend',
      rootOperation: 'HTTP POST /api/chat',
      spanCount: 3,
      errorCount: 1,
      services: ['autobot-backend'],
      duration: 500_000,
    });
    const [a] = store.search({ query: parseQuery('llm.duration_ms > 5000'), limit: 5 });
    expect(a?.services).toEqual(['autobot-ai-stack', 'autobot-backend']);
    expect(a?.rootService).toBe('autobot-backend');
  });

  it('honours the time window and limit', () => {
    const all = store.search({ query: null, limit: 100 });
    expect(all.length).toBe(3);
    expect(store.search({ query: null, limit: 1 }).length).toBe(1);
    const startC = all.find((t) => t.traceID === ids.c)?.startTime as number;
    expect(store.search({ query: null, startUs: startC, limit: 100 }).map((t) => t.traceID)).toEqual([ids.c]);
    expect(store.search({ query: null, endUs: startC - 1, limit: 100 }).length).toBe(2);
  });

  it('finds matches in every block, not only the newest', () => {
    const s = TraceStore.open({ path: ':memory:' });
    try {
      const needle = makeSpan({ attributes: { 'ssh.target_vm': 'needle', n: 1 } });
      s.insert(batchOf('svc', [needle]));
      for (let i = 0; i < 20; i++) {
        s.insert(
          batchOf(
            'svc',
            Array.from({ length: 300 }, (_, j) => makeSpan({ attributes: { n: i * 1000 + j, v: `x${j}` } })),
          ),
        );
      }
      expect(s.status().blockCount).toBeGreaterThan(10);
      expect(
        s.search({ query: parseQuery('ssh.target_vm = needle'), limit: 20 }).map((t) => t.traceID),
      ).toEqual([needle.traceId]);
      expect(s.search({ query: parseQuery('n >= 19295'), limit: 100 }).length).toBe(5);
      expect(s.search({ query: parseQuery('v = x7'), limit: 100 }).length).toBe(20);
    } finally {
      s.close();
    }
  });
});
