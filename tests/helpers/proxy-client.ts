/**
 * A client of the model proxy as agents write it: `node:http` with `socketPath`, nothing else.
 * Returns the status and the parsed JSON body (or the raw text when it is not JSON).
 */
import { request } from 'node:http';

export interface ProxyAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, unknown>;
  text: string;
}

export interface ProxyCall {
  method?: string;
  path?: string;
  /** An object is sent as JSON; a string or buffer as is. */
  body?: unknown;
  signal?: AbortSignal;
}

export function callProxy(socketPath: string, call: ProxyCall = {}): Promise<ProxyAnswer> {
  const payload =
    call.body === undefined
      ? undefined
      : typeof call.body === 'string' || Buffer.isBuffer(call.body)
        ? call.body
        : JSON.stringify(call.body);
  return new Promise((resolve, reject) => {
    const outgoing = request(
      {
        socketPath,
        path: call.path ?? '/v1/chat/completions',
        method: call.method ?? 'POST',
        headers: payload === undefined ? {} : { 'content-type': 'application/json' },
        ...(call.signal ? { signal: call.signal } : {}),
      },
      (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
        incoming.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: Record<string, unknown> = {};
          try {
            body = JSON.parse(text) as Record<string, unknown>;
          } catch {
            body = {};
          }
          resolve({ status: incoming.statusCode ?? 0, headers: incoming.headers, body, text });
        });
        incoming.on('error', reject);
      },
    );
    outgoing.on('error', reject);
    if (payload !== undefined) outgoing.write(payload);
    outgoing.end();
  });
}

/** A chat request with one user message. */
export function chat(content: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { model: 'anything', messages: [{ role: 'user', content }], ...extra };
}
