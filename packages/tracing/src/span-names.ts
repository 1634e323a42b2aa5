import { warn } from './logger.js';

/** `{domain}.{operation}`: lowercase words joined by dots, e.g. `llm.inference`. */
const CUSTOM_SPAN_NAME = /^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$/;
/** Server and client spans follow `HTTP {METHOD} …`; Redis spans `redis.{command}`. */
const PROTOCOL_SPAN_NAME = /^HTTP [A-Z]+( .*)?$/;

const warned = new Set<string>();
const MAX_REMEMBERED = 1000;

/** Whether `name` follows the span naming conventions. */
export function isConventionalSpanName(name: string): boolean {
  return CUSTOM_SPAN_NAME.test(name) || PROTOCOL_SPAN_NAME.test(name);
}

/**
 * Warn once per distinct name that does not follow `{domain}.{operation}`. Meant for development:
 * the TracingService calls it only when `deployment.environment.name` is `development`.
 */
export function checkSpanName(name: string): void {
  if (isConventionalSpanName(name) || warned.has(name)) return;
  if (warned.size < MAX_REMEMBERED) warned.add(name);
  warn(`span name ${JSON.stringify(name)} does not follow {domain}.{operation} (e.g. "llm.inference")`);
}
