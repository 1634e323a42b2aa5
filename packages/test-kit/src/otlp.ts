/**
 * POSTs one OTLP/JSON export request to the collector's HTTP receiver on `httpPort`. Rejects on a
 * non-2xx answer and on a partial success that rejected any span.
 */
export async function postOtlp(httpPort: number, body: unknown): Promise<void> {
  const res = await fetch(`http://127.0.0.1:${httpPort}/v1/traces`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`OTLP export failed: HTTP ${res.status} ${text}`);
  const parsed = text ? (JSON.parse(text) as { partialSuccess?: { rejectedSpans?: string | number } }) : {};
  if (Number(parsed.partialSuccess?.rejectedSpans ?? 0) > 0)
    throw new Error(`OTLP export partially rejected: ${text}`);
}
