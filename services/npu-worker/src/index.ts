export type { EmbedAnswer } from './app.js';
export { buildNpuWorkerApp, SERVICE_NAME } from './app.js';
export type { NpuWorkerConfig } from './config.js';
export { resolveNpuWorkerConfig } from './config.js';
export type { Embedding } from './hashing-embedder.js';
export { cosineSimilarity, embedText, HASHING_MODEL } from './hashing-embedder.js';
export {
  ATTR_NPU_DEVICE,
  ATTR_NPU_DURATION_MS,
  ATTR_NPU_INPUT_CHARS,
  ATTR_NPU_INPUT_COUNT,
  ATTR_NPU_INPUT_TOKENS,
  ATTR_NPU_MODEL,
  ATTR_NPU_VECTOR_DIMENSIONS,
} from './semconv.js';
