/**
 * Content capture in the OpenTelemetry GenAI message shape
 * (`[{role, parts:[{type:'text', content}], finish_reason?}]`), bounded: the text of all parts
 * together is cut to `maxChars` so the attribute stays valid JSON of bounded size.
 */

interface CapturedMessage {
  role: string;
  parts: { type: 'text'; content: string }[];
  finish_reason?: string;
}

/** Marker appended to text cut short. */
export const TRUNCATION_MARKER = '…[truncated]';

function cut(text: string, budget: number): string {
  if (text.length <= budget) return text;
  return `${text.slice(0, Math.max(0, budget))}${TRUNCATION_MARKER}`;
}

/** JSON of `messages` with their text truncated to `maxChars` characters in total. */
export function captureMessages(
  messages: readonly { role: string; content: string; finishReason?: string }[],
  maxChars: number,
): string {
  let budget = maxChars;
  const out: CapturedMessage[] = messages.map((message) => {
    const content = cut(message.content, budget);
    budget = Math.max(0, budget - message.content.length);
    const captured: CapturedMessage = { role: message.role, parts: [{ type: 'text', content }] };
    if (message.finishReason) captured.finish_reason = message.finishReason;
    return captured;
  });
  return JSON.stringify(out);
}
