/**
 * OTLP/JSON fixtures for the browser tests: a multi-service trace with llm/ssh/pki spans, an
 * XSS canary trace and a 10,000-span trace. Times are relative to `baseMs` (epoch ms).
 */
import { randomBytes } from 'node:crypto';

type AttrValue = string | number | boolean;

interface SpanSpec {
  name: string;
  service: string;
  parent?: string;
  /** Start offset from the trace start, ms. */
  startMs: number;
  durationMs: number;
  kind?: number;
  attrs?: Record<string, AttrValue>;
  events?: { name: string; atMs: number; attrs?: Record<string, AttrValue> }[];
  error?: string;
  id?: string;
}

/** A fresh random trace id (32 hex). */
export function newTraceId(): string {
  return randomBytes(16).toString('hex');
}

/** A fresh random span id (16 hex). */
export function newSpanId(): string {
  return randomBytes(8).toString('hex');
}

function anyValue(v: AttrValue): Record<string, unknown> {
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  return Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v };
}

function attrs(rec: Record<string, AttrValue> = {}): { key: string; value: Record<string, unknown> }[] {
  return Object.entries(rec).map(([key, v]) => ({ key, value: anyValue(v) }));
}

const nanos = (ms: number) => (BigInt(Math.round(ms * 1000)) * 1000n).toString();

/** Builds an OTLP/JSON ExportTraceServiceRequest from span specs (one resource per service). */
export function otlpRequest(traceId: string, baseMs: number, specs: SpanSpec[]): Record<string, unknown> {
  const ids = new Map<SpanSpec, string>();
  for (const s of specs) ids.set(s, s.id ?? newSpanId());
  const byService = new Map<string, SpanSpec[]>();
  for (const s of specs) byService.set(s.service, [...(byService.get(s.service) ?? []), s]);
  return {
    resourceSpans: [...byService.entries()].map(([service, list]) => ({
      resource: { attributes: attrs({ 'service.name': service, 'deployment.environment.name': 'test' }) },
      scopeSpans: [
        {
          scope: { name: 'autobot.viewer-test' },
          spans: list.map((s) => ({
            traceId,
            spanId: ids.get(s),
            parentSpanId: s.parent ?? '',
            name: s.name,
            kind: s.kind ?? 1,
            startTimeUnixNano: nanos(baseMs + s.startMs),
            endTimeUnixNano: nanos(baseMs + s.startMs + s.durationMs),
            attributes: attrs(s.attrs),
            events: (s.events ?? []).map((e) => ({
              timeUnixNano: nanos(baseMs + e.atMs),
              name: e.name,
              attributes: attrs(e.attrs),
            })),
            status: s.error ? { code: 2, message: s.error } : { code: 0 },
          })),
        },
      ],
    })),
  };
}

/** The multi-service trace: frontend → backend → redis / ai-stack (llm.inference) / npu / ssh / pki. */
export function multiServiceTrace(baseMs: number): {
  traceId: string;
  llmSpanId: string;
  body: Record<string, unknown>;
} {
  const traceId = newTraceId();
  const root = newSpanId();
  const backend = newSpanId();
  const ai = newSpanId();
  const llm = newSpanId();
  const ssh = newSpanId();
  const specs: SpanSpec[] = [
    {
      id: root,
      name: 'HTTP GET /chat',
      service: 'autobot-frontend',
      startMs: 0,
      durationMs: 7400,
      kind: 3,
      attrs: { 'http.method': 'GET', 'http.url': 'http://127.0.0.1:5173/chat' },
    },
    {
      id: backend,
      parent: root,
      name: 'HTTP POST /api/chat',
      service: 'autobot-backend',
      startMs: 20,
      durationMs: 7300,
      kind: 2,
      attrs: { 'http.method': 'POST', 'http.route': '/api/chat', 'http.status_code': 200 },
    },
    {
      parent: backend,
      name: 'redis.get',
      service: 'autobot-backend',
      startMs: 30,
      durationMs: 2,
      kind: 3,
      attrs: { 'db.system.name': 'redis', 'db.operation.name': 'GET' },
    },
    {
      id: ai,
      parent: backend,
      name: 'HTTP POST /inference',
      service: 'autobot-ai-stack',
      startMs: 40,
      durationMs: 6500,
      kind: 2,
      attrs: { 'http.method': 'POST', 'http.route': '/inference', 'http.status_code': 200 },
    },
    {
      id: llm,
      parent: ai,
      name: 'llm.inference',
      service: 'autobot-ai-stack',
      startMs: 60,
      durationMs: 6200,
      kind: 3,
      attrs: {
        'llm.provider': 'ollama',
        'llm.model': 'llama3.2:3b',
        'llm.streaming': true,
        'llm.duration_ms': 6200,
        'llm.prompt_tokens': 412,
        'llm.completion_tokens': 128,
        'llm.total_tokens': 540,
        'llm.time_to_first_chunk_ms': 850,
        // Ollama's server timings: 200 ms queue/network, 150 load, 600 prefill, 5250 decode.
        'llm.total_duration_ms': 6000,
        'llm.load_duration_ms': 150,
        'llm.prompt_eval_duration_ms': 600,
        'llm.eval_duration_ms': 5250,
        'gen_ai.provider.name': 'ollama',
        'gen_ai.request.model': 'llama3.2:3b',
        'gen_ai.usage.input_tokens': 412,
        'gen_ai.usage.output_tokens': 128,
        'gen_ai.input.messages': JSON.stringify([
          { role: 'user', parts: [{ type: 'text', content: 'Summarise the logs' }] },
        ]),
        'gen_ai.output.messages': JSON.stringify([
          { role: 'assistant', parts: [{ type: 'text', content: 'All services healthy.' }] },
        ]),
      },
      events: [{ name: 'gen_ai.first_chunk', atMs: 910 }],
    },
    {
      parent: backend,
      name: 'npu.inference',
      service: 'autobot-npu-worker',
      startMs: 6600,
      durationMs: 300,
      kind: 2,
      attrs: { 'http.route': '/embed' },
    },
    {
      id: ssh,
      parent: backend,
      name: 'ssh.distribute_certificates',
      service: 'autobot-backend',
      startMs: 6950,
      durationMs: 320,
      attrs: {
        'ssh.target_vm': 'frontend',
        'ssh.target_ip': '172.16.168.21',
        'ssh.user': 'autobot',
        'ssh.error_type': 'auth_failed',
        'error.type': 'SshAuthError',
      },
      error: 'permission denied (publickey)',
      events: [
        {
          name: 'exception',
          atMs: 7260,
          attrs: {
            'exception.type': 'SshAuthError',
            'exception.message': 'permission denied (publickey)',
            'exception.stacktrace': 'SshAuthError: permission denied\n    at connect (ssh.ts:10:5)',
          },
        },
      ],
    },
    {
      parent: ssh,
      name: 'pki.issue_certificate',
      service: 'autobot-backend',
      startMs: 6960,
      durationMs: 40,
      attrs: { 'pki.operation': 'issue', 'pki.subject': 'CN=frontend' },
    },
  ];
  return { traceId, llmSpanId: llm, body: otlpRequest(traceId, baseMs, specs) };
}

/** The literal strings the XSS canary carries. */
export const CANARY_NAME = '<img src=x onerror=alert(1)>';
export const CANARY_URL = 'javascript:alert(2)';
export const CANARY_SERVICE = '<svg onload=alert(3)>';

/** A trace whose service, span name and attributes are HTML/script payloads. */
export function canaryTrace(baseMs: number): { traceId: string; body: Record<string, unknown> } {
  const traceId = newTraceId();
  const root = newSpanId();
  const specs: SpanSpec[] = [
    {
      id: root,
      name: CANARY_NAME,
      service: CANARY_SERVICE,
      startMs: 0,
      durationMs: 50,
      attrs: { 'http.url': CANARY_URL, 'url.full': CANARY_URL, note: '<script>alert(4)</script>' },
    },
    {
      parent: root,
      name: `${CANARY_NAME} child`,
      service: 'autobot-backend',
      startMs: 5,
      durationMs: 20,
      attrs: { 'ssh.target_vm': '"><img src=x onerror=alert(5)>' },
      events: [{ name: CANARY_NAME, atMs: 10, attrs: { link: CANARY_URL } }],
    },
  ];
  return { traceId, body: otlpRequest(traceId, baseMs, specs) };
}

/** A trace of exactly `total` spans: a root, 99 fan-out children and grandchildren under them. */
export function bigTrace(
  baseMs: number,
  total = 10_000,
): { traceId: string; bodies: Record<string, unknown>[] } {
  const traceId = newTraceId();
  const rootId = newSpanId();
  const specs: SpanSpec[] = [
    { id: rootId, name: 'batch.run', service: 'autobot-backend', startMs: 0, durationMs: 10_000 },
  ];
  const mids: string[] = [];
  for (let i = 0; i < 99; i++) {
    const id = newSpanId();
    mids.push(id);
    specs.push({
      id,
      parent: rootId,
      name: `batch.step_${i}`,
      service: 'autobot-npu-worker',
      startMs: i * 100,
      durationMs: 100,
    });
  }
  let n = 0;
  while (specs.length < total) {
    const m = n % 99;
    specs.push({
      parent: mids[m],
      name: `npu.inference`,
      service: n % 3 === 0 ? 'autobot-ai-stack' : 'autobot-npu-worker',
      startMs: m * 100 + (n % 50) * 2,
      durationMs: 1.5,
      attrs: { 'item.index': n },
    });
    n++;
  }
  // Several requests, as a real exporter would batch them.
  const bodies: Record<string, unknown>[] = [];
  for (let i = 0; i < specs.length; i += 2000)
    bodies.push(otlpRequest(traceId, baseMs, specs.slice(i, i + 2000)));
  return { traceId, bodies };
}
