// Shared synthetic workload: traces of 8 spans, 10 attributes per span, 5 services.
import { randomBytes } from 'node:crypto';

export const SERVICES = [
  'autobot-backend',
  'autobot-ai-stack',
  'autobot-npu-worker',
  'autobot-browser',
  'autobot-frontend',
];
export const VMS = ['frontend', 'npu-worker', 'redis', 'ai-stack', 'browser', 'backend'];
const NAMES = [
  'HTTP POST /api/chat',
  'llm.inference',
  'redis.get',
  'npu.inference',
  'browser.navigate',
  'ssh.distribute_certificates',
  'HTTP GET',
  'pki.issue_certificate',
];
const MODELS = ['mistral', 'llama3', 'qwen2', 'phi3'];

let seq = 0;
/** Deterministic-ish pseudo random in [0,1). */
function rnd() {
  seq = (seq * 1103515245 + 12345) >>> 0;
  return seq / 4294967296;
}

/** 10 attributes as [key, typed value] pairs for span i of a trace. */
export function attributesFor(i) {
  return {
    'http.method': i % 2 === 0 ? 'POST' : 'GET',
    'http.status_code': rnd() < 0.02 ? 500 : 200,
    'http.url': `http://10.0.0.${i}/api/v1/items/${Math.floor(rnd() * 100000)}`,
    'llm.model': MODELS[Math.floor(rnd() * MODELS.length)],
    'llm.duration_ms': Math.round(100 + rnd() * 7900),
    'llm.tokens': Math.floor(rnd() * 2000),
    'ssh.target_vm': VMS[Math.floor(rnd() * VMS.length)],
    'user.id': `user-${Math.floor(rnd() * 1e6)}`,
    component: 'autobot',
    'net.peer.port': 1024 + Math.floor(rnd() * 60000),
  };
}

/** Spans of one batch: `count` spans in traces of 8, times around `baseUs`. */
export function makeSpans(count, baseUs) {
  const spans = [];
  let traceId = '';
  let rootId = '';
  for (let i = 0; i < count; i++) {
    const pos = i % 8;
    if (pos === 0) {
      traceId = randomBytes(16).toString('hex');
      rootId = '';
    }
    const spanId = randomBytes(8).toString('hex');
    spans.push({
      traceId,
      spanId,
      parentSpanId: pos === 0 ? '' : rootId,
      name: NAMES[pos],
      kind: pos === 0 ? 2 : 3,
      startUs: baseUs + i,
      durationUs: Math.floor(rnd() * 2_000_000),
      statusCode: rnd() < 0.01 ? 2 : 0,
      service: SERVICES[pos % SERVICES.length],
      attributes: attributesFor(pos),
    });
    if (pos === 0) rootId = spanId;
  }
  return spans;
}
