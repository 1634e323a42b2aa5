export { buildBackendApp, SERVICE_NAME } from './app.js';
export type { ChatMeta } from './chat.js';
export { findUrl } from './chat.js';
export type { BackendConfig } from './config.js';
export { resolveBackendConfig } from './config.js';
export type { ConversationStore, StoredMessage } from './conversation-store.js';
export {
  createConversationStore,
  MemoryConversationStore,
  RedisConversationStore,
} from './conversation-store.js';
export type { DownstreamName } from './downstream.js';
export { Downstreams } from './downstream.js';
