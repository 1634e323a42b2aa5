/** See otlp-span-count.mjs. */
export function countSpans(bytes: Buffer, byService: Record<string, number>): number;
