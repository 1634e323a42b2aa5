import type { FastifyInstance } from 'fastify';
import type { StoredSpan } from '../model.js';
import { decodeJsonRequest } from '../otlp/decode-json.js';
import { toJaegerTrace } from './jaeger-format.js';
import { jaegerError, jaegerOk, sendExact } from './responses.js';

/**
 * Jaeger v2's `POST /api/transform` (jaeger cmd/jaeger/internal/extension/jaegerquery/internal/
 * http_handler.go transformOTLP): OTLP/JSON in, v1 `{data: [trace…]}` out, nothing stored. The
 * Jaeger UI's Upload tab sends an OTLP file here (jaeger-ui packages/jaeger-ui/src/utils/
 * readJsonFile.ts → api/jaeger.ts transformOTLP), with fetch's default `text/plain` content type,
 * so any content type is read as the raw body, up to `maxBodyBytes`.
 */
export function registerTransformRoute(app: FastifyInstance, maxBodyBytes: number): void {
  void app.register(async (sub) => {
    sub.removeAllContentTypeParsers();
    sub.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: maxBodyBytes }, (_req, body, done) =>
      done(null, body),
    );
    sub.post('/api/transform', async (req, reply) => {
      const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      let batch: ReturnType<typeof decodeJsonRequest>;
      try {
        batch = decodeJsonRequest(body);
      } catch (error) {
        return jaegerError(reply, 400, (error as Error).message);
      }
      const traces = new Map<string, StoredSpan[]>();
      for (const g of batch.groups) {
        for (const span of g.spans) {
          const stored: StoredSpan = {
            ...span,
            serviceName: g.resource.serviceName,
            resourceAttributes: g.resource.attributes,
            resourceSchemaUrl: g.resource.schemaUrl ?? '',
            scope: g.scope,
          };
          if (g.resource.droppedAttributesCount !== undefined)
            stored.resourceDroppedAttributesCount = g.resource.droppedAttributesCount;
          const list = traces.get(span.traceId);
          if (list === undefined) traces.set(span.traceId, [stored]);
          else list.push(stored);
        }
      }
      return sendExact(reply, jaegerOk([...traces.values()].map(toJaegerTrace)));
    });
  });
}
