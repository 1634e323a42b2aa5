/** Builds the collector query-language expression from the search form. */
import { durationLiteral } from './format.js';

/** The search form's fields. Durations in µs. */
export interface SearchForm {
  service: string;
  operation: string;
  query: string;
  minDurationUs?: number;
  maxDurationUs?: number;
}

/** The composed expression, and where the user's own text starts in it (for error columns). */
export interface ComposedQuery {
  q: string;
  /** Offset (characters) of the user's query text inside `q`. */
  userOffset: number;
}

/** Quotes a string literal for the query language. */
export function quote(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/**
 * Composes `(user query) and service = "…" and name = "…" and duration >= …`. The user's text
 * comes first so a syntax error column maps back into the query box by subtracting `userOffset`.
 */
export function composeQuery(form: SearchForm): ComposedQuery {
  const parts: string[] = [];
  if (form.service) parts.push(`service = ${quote(form.service)}`);
  if (form.operation) parts.push(`name = ${quote(form.operation)}`);
  if (form.minDurationUs !== undefined) parts.push(`duration >= ${durationLiteral(form.minDurationUs)}`);
  if (form.maxDurationUs !== undefined) parts.push(`duration <= ${durationLiteral(form.maxDurationUs)}`);
  // Not trimmed: columns reported by the collector must line up with the text in the box.
  const user = form.query;
  if (!user.trim()) return { q: parts.join(' and '), userOffset: 0 };
  if (parts.length === 0) return { q: user, userOffset: 0 };
  return { q: `(${user}) and ${parts.join(' and ')}`, userOffset: 1 };
}

/** The spec's example queries, offered as one-click chips. */
export const EXAMPLE_QUERIES = [
  { label: 'Slow LLM inferences', query: 'llm.duration_ms > 5000' },
  // The spec writes this one as `ssh.error_type = asyncssh_error` (the Python original's catch-all
  // for the SSH library's errors); ours reports specific classes, see packages/pki/README.md.
  { label: 'Failed SSH operations', query: 'name = ssh.distribute_certificates and status = error' },
  { label: 'Requests to a VM', query: 'ssh.target_vm = frontend' },
] as const;
