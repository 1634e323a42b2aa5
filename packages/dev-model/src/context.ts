import type { FaultCounter } from './faults.js';

/** The name the dev model reports for itself in `/api/version`, `owned_by` and errors. */
export const DEV_MODEL_NAME = 'autobot-dev-model';
/** Version of the dev model (not of Ollama). */
export const DEV_MODEL_VERSION = '0.1.0';

/** Models listed by `/api/tags` and `/v1/models` when no list is configured. */
export const DEFAULT_MODELS: readonly string[] = ['dev-model:latest', 'mistral:7b-instruct', 'llama3.2:1b'];

/** Server-wide settings shared by the API handlers. */
export interface ServerContext {
  /** Pace of streamed tokens in milliseconds. */
  tokenDelayMs: number;
  /** Models listed by the model-list endpoints. */
  models: readonly string[];
  /** When true, a model not in `models` is answered with the API's model-not-found error. */
  strictModels: boolean;
  faults: FaultCounter;
  /** Monotonic counter for response ids. */
  nextId: () => number;
}

/** Whether `model` is served: any model unless `strictModels`; `x` matches a listed `x:latest`. */
export function isKnownModel(ctx: ServerContext, model: string): boolean {
  if (!ctx.strictModels) return true;
  return ctx.models.includes(model) || ctx.models.includes(`${model}:latest`);
}
