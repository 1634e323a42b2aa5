import type { Attributes } from '../../src/model.js';

/** A span's name and attributes as another GenAI instrumentation emits them, with its source. */
export interface GenAiFixture {
  source: string;
  name: string;
  attributes: Attributes;
  /** The current GenAI keys normalisation must add. */
  expected: Attributes;
}

export const GENAI_FIXTURES: Record<string, GenAiFixture> = {
  openllmetryOllama: {
    // traceloop/openllmetry packages/opentelemetry-instrumentation-ollama/tests/test_chat.py
    // (test_ollama_chat_legacy, commit 163447b): the asserted attributes of the `ollama.chat` span.
    // The output token count is not asserted there; 12 keeps llm.usage.total_tokens = input + output
    // as the test asserts.
    source: 'traceloop/openllmetry ollama tests/test_chat.py',
    name: 'ollama.chat',
    attributes: {
      'gen_ai.system': 'Ollama',
      'llm.request.type': 'chat',
      'llm.is_streaming': false,
      'gen_ai.request.model': 'llama3',
      'gen_ai.prompt.0.content': 'Tell me a joke about OpenTelemetry',
      'gen_ai.usage.input_tokens': 17,
      'gen_ai.usage.output_tokens': 12,
      'llm.usage.total_tokens': 29,
    },
    expected: {
      'gen_ai.provider.name': 'ollama',
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'llama3',
      'gen_ai.usage.input_tokens': 17,
      'gen_ai.usage.output_tokens': 12,
    },
  },
  openllmetryOpenAiLegacy: {
    // Key set of traceloop/docs openllmetry/contributing/semantic-conventions.mdx (the older
    // OpenLLMetry names: gen_ai.usage.prompt_tokens / completion_tokens, llm.usage.total_tokens,
    // gen_ai.usage.reasoning_tokens, gen_ai.usage.cache_read_input_tokens, llm.request.type).
    source: 'traceloop/docs openllmetry/contributing/semantic-conventions.mdx',
    name: 'openai.chat',
    attributes: {
      'gen_ai.system': 'openai',
      'llm.request.type': 'chat',
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
      'gen_ai.usage.prompt_tokens': 1200,
      'gen_ai.usage.completion_tokens': 80,
      'llm.usage.total_tokens': 1280,
      'gen_ai.usage.cache_read_input_tokens': 1024,
      'gen_ai.usage.reasoning_tokens': 0,
    },
    expected: {
      'gen_ai.provider.name': 'openai',
      'gen_ai.operation.name': 'chat',
      'gen_ai.usage.input_tokens': 1200,
      'gen_ai.usage.output_tokens': 80,
      'gen_ai.usage.cache_read.input_tokens': 1024,
      'gen_ai.usage.reasoning.output_tokens': 0,
    },
  },
  openInference: {
    // Arize-ai/openinference spec/llm_spans.md, first example ("A span for a tool call with
    // OpenAI"), scalar attributes verbatim (the message lists are left out).
    source: 'Arize-ai/openinference spec/llm_spans.md',
    name: 'llm',
    attributes: {
      'openinference.span.kind': 'LLM',
      'llm.model_name': 'gpt-3.5-turbo-0613',
      'llm.invocation_parameters': '{"model": "gpt-3.5-turbo-0613", "temperature": 0.1, "max_tokens": null}',
      'output.mime_type': 'application/json',
      'llm.token_count.prompt': 229,
      'llm.token_count.completion': 21,
      'llm.token_count.total': 250,
    },
    expected: {
      'gen_ai.request.model': 'gpt-3.5-turbo-0613',
      'gen_ai.usage.input_tokens': 229,
      'gen_ai.usage.output_tokens': 21,
    },
  },
};
