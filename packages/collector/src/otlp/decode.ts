export type { DecodeLimits } from './decode-common.js';
export { DEFAULT_DECODE_LIMITS } from './decode-common.js';
export { decodeJsonRequest } from './decode-json.js';
export { decodeProtobufRequest } from './decode-protobuf.js';
