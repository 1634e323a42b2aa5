import type { FastifyReply } from 'fastify';
import { stringifyExact } from '../json-exact.js';

/** Query-string parameters as Fastify parses them. */
export type Query = Record<string, unknown>;

/** A Jaeger v1 (`/api/*`) success envelope. */
export function jaegerOk(data: unknown, total?: number, limit = 0) {
  return { data, total: total ?? (Array.isArray(data) ? data.length : 0), limit, offset: 0, errors: null };
}

/** A Jaeger v1 error envelope with `status`. */
export function jaegerError(
  reply: FastifyReply,
  status: number,
  msg: string,
  extra: Record<string, unknown> = {},
) {
  return reply
    .code(status)
    .send({ data: null, total: 0, limit: 0, offset: 0, errors: [{ code: status, msg, ...extra }] });
}

/** Jaeger v1 int64 tags beyond 2^53 are bigints: written as exact JSON integers, as Jaeger does. */
export function sendExact(reply: FastifyReply, body: unknown) {
  return reply.type('application/json; charset=utf-8').send(stringifyExact(body));
}

/** A finished JSON body (text or UTF-8 bytes), with the content type Fastify gives objects. */
export function sendJson(reply: FastifyReply, body: string | Buffer) {
  return reply.type('application/json; charset=utf-8').send(body);
}

/** A v3 parameter by its canonical camelCase name or the deprecated snake_case one (Jaeger v2 takes both). */
export function v3Param(q: Query, canonical: string, deprecated: string): { name: string; value: unknown } {
  return q[canonical] !== undefined
    ? { name: canonical, value: q[canonical] }
    : { name: deprecated, value: q[deprecated] };
}

/** A Jaeger v3 (`/api/v3/*`) error body with `status`. */
export function v3Error(reply: FastifyReply, status: number, message: string) {
  return reply.code(status).send({ error: { httpCode: status, message } });
}
