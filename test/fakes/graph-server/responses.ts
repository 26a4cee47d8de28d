// What every response of the fake looks like: a status, headers that always include a request-id, and a body in
// Graph's (or Entra's) own shape.
import { randomUUID } from 'node:crypto';

export interface FakeResponse {
  status: number;
  headers: Record<string, string>;
  /** JSON body; undefined for 204 and friends. */
  body?: unknown;
}

export const ODATA_JSON = 'application/json; odata.metadata=minimal; odata.streaming=true; IEEE754Compatible=false; charset=utf-8';

export function newRequestId(): string {
  return randomUUID();
}

/** Graph's error envelope, with the request id both in the header and in innerError. */
export function graphError(status: number, code: string, message: string, requestId: string, clientRequestId: string | undefined, now: number, headers: Record<string, string> = {}): FakeResponse {
  const innerError: Record<string, string> = { date: new Date(now).toISOString().replace(/\.\d{3}Z$/, ''), 'request-id': requestId };
  if (clientRequestId) innerError['client-request-id'] = clientRequestId;
  return { status, headers: { 'content-type': 'application/json', ...headers }, body: { error: { code, message, innerError } } };
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): FakeResponse {
  return { status, headers: { 'content-type': ODATA_JSON, ...headers }, body };
}

/** Entra's token-endpoint error shape. */
export function entraError(status: number, error: string, aadsts: number, description: string, correlationId: string): FakeResponse {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: {
      error,
      error_description: `AADSTS${aadsts}: ${description} Trace ID: ${newRequestId()} Correlation ID: ${correlationId} Timestamp: ${new Date().toISOString()}`,
      error_codes: [aadsts],
      timestamp: new Date().toISOString().replace('T', ' ').replace('Z', 'Z'),
      trace_id: newRequestId(),
      correlation_id: correlationId,
    },
  };
}
