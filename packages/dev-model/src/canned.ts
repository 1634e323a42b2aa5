/**
 * Canned, deterministic answers and a whitespace tokenizer.
 *
 * The same prompt always yields the same answer and the same token counts, so tests can assert
 * exact numbers. A "token" here is a word with its leading whitespace — close enough to a real
 * tokenizer for realistic counts, and trivially reproducible.
 */

const ANSWERS: readonly string[] = [
  'This is the AutoBot dev model, a canned responder for development and tests. It is not a language model, but it streams its answers token by token the way Ollama and OpenAI do, so every trace looks real.',
  'Distributed tracing follows one request across every service it touches. Each hop adds a span, each span records timing and attributes, and the trace ties them together under a single trace id.',
  'Here is a short plan: first check the backend health endpoint, then look at the slowest spans in the trace viewer, and finally compare the LLM inference duration with the time to first chunk.',
  'The answer depends on the workload. For short prompts latency is dominated by model load time; for long completions the evaluation rate in tokens per second matters most.',
  'Sure. The certificate distributor copies the CA bundle, the host certificate and its key to each virtual machine over SSH, and records one span per target with the number of files copied.',
];

/** Words with leading whitespace: `"Hello world"` → `["Hello", " world"]`. */
export function tokenize(text: string): string[] {
  return text.match(/\s*\S+/g) ?? [];
}

/** FNV-1a 32-bit hash: small, fast, deterministic. */
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/** The canned answer for a prompt (the text of the last user message, or the generate prompt). */
export function answerFor(prompt: string): string {
  return ANSWERS[fnv1a(prompt) % ANSWERS.length] as string;
}

/** A message as both APIs send it; only text content is counted. */
export interface PromptMessage {
  role?: unknown;
  content?: unknown;
}

/** Text of a message's content: a string, or OpenAI's array of `{type:'text', text}` parts. */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((part) => (part && typeof part === 'object' && typeof part.text === 'string' ? part.text : ''))
      .join(' ');
  }
  return '';
}

/** Prompt token count: words of every message plus 4 tokens of chat-template overhead per message. */
export function countPromptTokens(messages: readonly PromptMessage[]): number {
  let count = 0;
  for (const message of messages) count += 4 + tokenize(contentText(message.content)).length;
  return count;
}

/** The prompt a canned answer is chosen by: the last user message's text. */
export function lastUserText(messages: readonly PromptMessage[]): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i];
    if (message && message.role === 'user') return contentText(message.content);
  }
  return '';
}

/** A completion plan: the tokens to stream and why the answer stops. */
export interface Completion {
  tokens: string[];
  finishReason: 'stop' | 'length';
}

/** Plans the completion for a prompt, cut to `maxTokens` when given (finish reason `length`). */
export function planCompletion(prompt: string, maxTokens: number | undefined): Completion {
  const tokens = tokenize(answerFor(prompt));
  if (maxTokens !== undefined && maxTokens >= 0 && tokens.length > maxTokens) {
    return { tokens: tokens.slice(0, maxTokens), finishReason: 'length' };
  }
  return { tokens, finishReason: 'stop' };
}

/** Deterministic unit-length embedding of `dimensions` floats for a text. */
export function embedText(text: string, dimensions = 64): number[] {
  const vector: number[] = [];
  let seed = fnv1a(text) || 1;
  for (let i = 0; i < dimensions; i++) {
    // xorshift32: deterministic pseudo-random sequence seeded by the text.
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    seed >>>= 0;
    vector.push(seed / 0xffffffff - 0.5);
  }
  const norm = Math.sqrt(vector.reduce((sum, v) => sum + v * v, 0)) || 1;
  return vector.map((v) => v / norm);
}
