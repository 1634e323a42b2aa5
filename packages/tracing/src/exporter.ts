import { CompressionAlgorithm } from '@opentelemetry/otlp-exporter-base';
import { ConsoleSpanExporter, type SpanExporter } from '@opentelemetry/sdk-trace';
import type { TracingConfig } from './config.js';
import { createEncodedOtlpExporter } from './otlp/encoded-export.js';
import { grpcTransportOptions, httpTransportOptions } from './otlp-transport-options.js';

/**
 * The OTLP exporter the configuration asks for: gRPC or HTTP/protobuf, gzip or uncompressed, with
 * the configured headers and TLS material (`OTEL_EXPORTER_OTLP_HEADERS`, `…_CERTIFICATE`, …).
 * It sends spans already encoded when they ended: put an `EncodeOnEndSpanProcessor` in front of
 * the batch processor that feeds it (see provider.ts).
 */
export function createOtlpExporter(config: TracingConfig): SpanExporter {
  const common = {
    url: config.endpoint,
    timeoutMillis: config.exportTimeoutMs,
    compression: config.compression === 'gzip' ? CompressionAlgorithm.GZIP : CompressionAlgorithm.NONE,
  };
  return config.protocol === 'grpc'
    ? createEncodedOtlpExporter('grpc', { ...common, ...grpcTransportOptions(config) })
    : createEncodedOtlpExporter('http/protobuf', { ...common, ...httpTransportOptions(config) });
}

/** Console exporter for `AUTOBOT_TRACE_CONSOLE=true`. */
export function createConsoleExporter(): SpanExporter {
  return new ConsoleSpanExporter();
}
