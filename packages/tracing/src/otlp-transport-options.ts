import * as grpc from '@grpc/grpc-js';
import type { TracingConfig } from './config.js';

/**
 * Options of the OTLP/gRPC exporter carrying the configured credentials: headers as metadata, and
 * for an `https://` endpoint TLS credentials built from the CA bundle and client certificate (the
 * system CA store when no bundle is configured). An `http://` endpoint gets no TLS options.
 */
export function grpcTransportOptions(config: TracingConfig): {
  metadata?: grpc.Metadata;
  credentials?: grpc.ChannelCredentials;
} {
  const { credentials } = config;
  const names = credentials.headerNames;
  const metadata = names.length === 0 ? undefined : new grpc.Metadata();
  for (const name of names) metadata?.set(name, credentials.headers[name] as string);
  if (!config.endpoint.startsWith('https://')) return metadata ? { metadata } : {};
  return {
    ...(metadata ? { metadata } : {}),
    credentials: grpc.credentials.createSsl(
      credentials.rootCertificate ?? null,
      credentials.clientKey ?? null,
      credentials.clientCertificate ?? null,
    ),
  };
}

/** Options of the OTLP/HTTP exporter: headers, and TLS agent options for an `https://` endpoint. */
export function httpTransportOptions(config: TracingConfig): {
  headers?: Record<string, string>;
  httpAgentOptions?: { keepAlive: boolean; ca?: Buffer; cert?: Buffer; key?: Buffer };
} {
  const { credentials } = config;
  const headers = credentials.headerNames.length === 0 ? undefined : { ...credentials.headers };
  if (!config.endpoint.startsWith('https://')) return headers ? { headers } : {};
  return {
    ...(headers ? { headers } : {}),
    httpAgentOptions: {
      keepAlive: true,
      ...(credentials.rootCertificate ? { ca: credentials.rootCertificate } : {}),
      ...(credentials.clientCertificate ? { cert: credentials.clientCertificate } : {}),
      ...(credentials.clientKey ? { key: credentials.clientKey } : {}),
    },
  };
}
