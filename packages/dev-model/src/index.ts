export type { Completion } from './canned.js';
export {
  answerFor,
  countPromptTokens,
  embedText,
  planCompletion,
  tokenize,
} from './canned.js';
export { DEFAULT_MODELS, DEV_MODEL_NAME, DEV_MODEL_VERSION } from './context.js';
export type { FaultSpec } from './faults.js';
export { FAULT_HEADER, FaultSpecError, parseFaultSpec } from './faults.js';
export type { DevModelOptions, DevModelServer } from './server.js';
export { DevModelOptionError, startDevModel } from './server.js';
