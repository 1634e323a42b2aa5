export { CHROMIUM_PATH, launchChromium } from './chromium.js';
export { startTestCollector, type TestCollector } from './collector.js';
export { type CollectorProcess, collectorCliPath, startCollectorProcess } from './collector-process.js';
export { freePort } from './free-port.js';
export { getTrace, parentOf, serviceOf, services, tag, waitForTrace } from './jaeger.js';
export { onLines, parseLine, parseNdjson } from './lines.js';
export { type RunningChild, startNode } from './node-process.js';
export { postOtlp } from './otlp.js';
export {
  type ClientTls,
  grpcExport,
  jsonBody,
  newTraceId,
  postSpan,
  protobufBody,
  send,
} from './otlp-auth.js';
export { type RunningRedis, redisServerArgs, startRedisServer } from './redis-server.js';
export { keygen, type RunningSshd, SSHD, startSshd } from './sshd.js';
export { chat, ROOT, type RunningStack, type StackState, startStack } from './stack.js';
