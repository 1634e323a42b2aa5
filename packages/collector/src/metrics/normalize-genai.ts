import type { Attributes, AttrValue, DecodedBatch } from '../model.js';

/**
 * Current OpenTelemetry GenAI keys that spans from other GenAI instrumentations are normalised
 * to. `gen_ai.usage.cache_read.input_tokens` and `gen_ai.usage.reasoning.output_tokens` are from
 * open-telemetry/semantic-conventions-genai `model/gen-ai/spans.yaml`.
 */
export const GENAI_PROVIDER_NAME = 'gen_ai.provider.name';
export const GENAI_REQUEST_MODEL = 'gen_ai.request.model';
export const GENAI_RESPONSE_MODEL = 'gen_ai.response.model';
export const GENAI_OPERATION_NAME = 'gen_ai.operation.name';
export const GENAI_INPUT_TOKENS = 'gen_ai.usage.input_tokens';
export const GENAI_OUTPUT_TOKENS = 'gen_ai.usage.output_tokens';
export const GENAI_CACHE_READ_INPUT_TOKENS = 'gen_ai.usage.cache_read.input_tokens';
export const GENAI_REASONING_OUTPUT_TOKENS = 'gen_ai.usage.reasoning.output_tokens';
export const GENAI_CONVERSATION_ID = 'gen_ai.conversation.id';

/**
 * Older or foreign keys by the current key they stand for, first match wins:
 * - `gen_ai.system`, `gen_ai.usage.prompt_tokens` / `completion_tokens`: GenAI semconv ≤ 1.26
 *   (still emitted by OpenLLMetry and the official openai instrumentation by default).
 * - `llm.usage.*`, `llm.vendor`, `llm.request.type`, `gen_ai.usage.cache_read_input_tokens`,
 *   `gen_ai.usage.reasoning_tokens`: OpenLLMetry (traceloop/docs `semantic-conventions.mdx`).
 * - `llm.model_name`, `llm.provider`, `llm.system`, `llm.token_count.*`, `session.id`:
 *   OpenInference (Arize-ai/openinference `spec/semantic_conventions.md`).
 */
const ALIASES: readonly (readonly [string, readonly string[]])[] = [
  [GENAI_PROVIDER_NAME, ['gen_ai.system', 'llm.provider', 'llm.system', 'llm.vendor']],
  [GENAI_REQUEST_MODEL, ['llm.request.model', 'llm.model_name', 'gen_ai.response.model']],
  [GENAI_OPERATION_NAME, ['llm.request.type']],
  [GENAI_INPUT_TOKENS, ['gen_ai.usage.prompt_tokens', 'llm.usage.prompt_tokens', 'llm.token_count.prompt']],
  [
    GENAI_OUTPUT_TOKENS,
    ['gen_ai.usage.completion_tokens', 'llm.usage.completion_tokens', 'llm.token_count.completion'],
  ],
  [
    GENAI_CACHE_READ_INPUT_TOKENS,
    ['gen_ai.usage.cache_read_input_tokens', 'llm.token_count.prompt_details.cache_read'],
  ],
  [
    GENAI_REASONING_OUTPUT_TOKENS,
    ['gen_ai.usage.reasoning_tokens', 'llm.token_count.completion_details.reasoning'],
  ],
  [GENAI_CONVERSATION_ID, ['session.id']],
];

/** Every older/foreign key: a span carrying none of them is left alone without further work. */
const ALIAS_KEYS: ReadonlySet<string> = new Set(ALIASES.flatMap(([, aliases]) => aliases));

/** Keys whose values name a provider: lower-cased on copy (OpenLLMetry writes `OpenAI`). */
const LOWERCASE = new Set([GENAI_PROVIDER_NAME]);
/** OpenLLMetry's `llm.request.type` values mapped to `gen_ai.operation.name` values. */
const OPERATION_NAMES: Record<string, string> = {
  chat: 'chat',
  completion: 'text_completion',
  embedding: 'embeddings',
};

function convert(key: string, value: AttrValue): AttrValue | undefined {
  if (LOWERCASE.has(key)) return typeof value === 'string' ? value.toLowerCase() : undefined;
  if (key === GENAI_OPERATION_NAME) return typeof value === 'string' ? OPERATION_NAMES[value] : undefined;
  if (key.startsWith('gen_ai.usage.')) {
    const n = typeof value === 'string' ? Number(value) : value;
    return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
  }
  return value;
}

/**
 * Adds the current GenAI keys to a span's attributes from the older/foreign keys it carries, when
 * the current key is missing. The original attributes are kept. Returns whether anything was added.
 * Only spans that look like GenAI calls (some key starting `gen_ai.` or `llm.`) are touched.
 */
export function normalizeGenAiAttributes(attributes: Attributes): boolean {
  let added = false;
  for (const [key, aliases] of ALIASES) {
    if (attributes[key] !== undefined) continue;
    for (const alias of aliases) {
      const value = attributes[alias];
      if (value === undefined || value === null) continue;
      const converted = convert(key, value);
      if (converted === undefined) continue;
      attributes[key] = converted;
      added = true;
      break;
    }
  }
  return added;
}

/** Normalises every span of a batch in place (see {@link normalizeGenAiAttributes}). */
export function normalizeGenAiBatch(batch: DecodedBatch): void {
  for (const group of batch.groups) {
    for (const span of group.spans) {
      // Cheap pre-check: most spans carry none of the older/foreign keys.
      for (const k in span.attributes) {
        if (ALIAS_KEYS.has(k)) {
          normalizeGenAiAttributes(span.attributes);
          break;
        }
      }
    }
  }
}
