import { type Context, type SpanContext, TraceFlags } from '@opentelemetry/api';
import type { ExportResult } from '@opentelemetry/core';
import { OTLPExporterBase } from '@opentelemetry/otlp-exporter-base';
import {
  convertLegacyHttpOptions,
  createOtlpHttpExportDelegate,
} from '@opentelemetry/otlp-exporter-base/node-http';
import {
  convertLegacyOtlpGrpcOptions,
  createOtlpGrpcExportDelegate,
} from '@opentelemetry/otlp-grpc-exporter-base';
import {
  type IExportTraceServiceResponse,
  type ISerializer,
  ProtobufTraceSerializer,
  TraceExporterMetricsHelper,
} from '@opentelemetry/otlp-transformer';
import type { ReadableSpan, Span, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace';
import { type EncodedSpan, encodeRequest, encodeSpan } from './span-encoder.js';

/**
 * Our OTLP export path: spans are encoded to protobuf when they end and queued as bytes in the
 * SDK's own BatchSpanProcessor (its queue bound, scheduling, drop counting and flush-on-shutdown
 * are unchanged); at export the bytes are wrapped in the request envelope and sent by the
 * official OTLP transports (HTTP or gRPC, with their retries, timeouts, compression, headers and
 * TLS). See span-encoder.ts for why.
 */

/** What the batch processor needs of a queued span: it is sampled, and its resource. */
const SAMPLED_CONTEXT: SpanContext = Object.freeze({
  traceId: '',
  spanId: '',
  traceFlags: TraceFlags.SAMPLED,
});

class QueuedSpan implements EncodedSpan {
  constructor(
    readonly bytes: Buffer,
    readonly resource: EncodedSpan['resource'],
    readonly scope: EncodedSpan['scope'],
  ) {}

  spanContext(): SpanContext {
    return SAMPLED_CONTEXT;
  }
}

/**
 * Encodes each sampled span as it ends and hands the encoded form to `next` (the batch
 * processor in front of an {@link createEncodedOtlpExporter} exporter). A span that cannot be
 * encoded is left out, never thrown into the code that ended it.
 */
export class EncodeOnEndSpanProcessor implements SpanProcessor {
  constructor(private readonly next: SpanProcessor) {}

  onStart(span: Span, parentContext: Context): void {
    this.next.onStart(span, parentContext);
  }

  onEnd(span: ReadableSpan): void {
    if ((span.spanContext().traceFlags & TraceFlags.SAMPLED) === 0) return;
    let queued: QueuedSpan;
    try {
      queued = new QueuedSpan(encodeSpan(span), span.resource, span.instrumentationScope);
    } catch {
      return;
    }
    this.next.onEnd(queued as unknown as ReadableSpan);
  }

  forceFlush(): Promise<void> {
    return this.next.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.next.shutdown();
  }
}

/** The request is already encoded span by span: the serializer only adds the envelope. */
const encodedSerializer: ISerializer<EncodedSpan[], IExportTraceServiceResponse> = {
  serializeRequest: (spans) => encodeRequest(spans),
  deserializeResponse: (data) => ProtobufTraceSerializer.deserializeResponse(data),
};

// Component types of the self-observability metrics, as the official trace exporters name them.
const HTTP_COMPONENT = 'otlp_http_span_exporter';
const GRPC_COMPONENT = 'otlp_grpc_span_exporter';

/** Options of {@link createEncodedOtlpExporter}: the official exporters' own options. */
export type EncodedExporterOptions = Parameters<typeof convertLegacyHttpOptions>[0] &
  Parameters<typeof convertLegacyOtlpGrpcOptions>[0];

/**
 * An OTLP exporter (`http/protobuf` or `grpc`) of spans queued by {@link EncodeOnEndSpanProcessor}.
 * Typed as a SpanExporter for the batch processor, which passes it what it was given.
 */
export function createEncodedOtlpExporter(
  protocol: 'grpc' | 'http/protobuf',
  options: EncodedExporterOptions,
): SpanExporter {
  const delegate =
    protocol === 'grpc'
      ? createOtlpGrpcExportDelegate(
          convertLegacyOtlpGrpcOptions(options, 'TRACES'),
          encodedSerializer,
          GRPC_COMPONENT,
          TraceExporterMetricsHelper as never,
          undefined,
          'TraceExportService',
          '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
        )
      : createOtlpHttpExportDelegate(
          convertLegacyHttpOptions(options, 'TRACES', 'v1/traces', {
            'Content-Type': 'application/x-protobuf',
          }),
          encodedSerializer,
          HTTP_COMPONENT,
          TraceExporterMetricsHelper as never,
          undefined,
        );
  const base = new OTLPExporterBase<EncodedSpan[]>(delegate);
  return {
    export: (spans: ReadableSpan[], done: (result: ExportResult) => void) =>
      base.export(spans as unknown as EncodedSpan[], done),
    shutdown: () => base.shutdown(),
    forceFlush: () => base.forceFlush(),
  };
}
