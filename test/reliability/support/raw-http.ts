import { Agent, request as httpRequest } from 'node:http';

export interface RawRequest {
  method: string;
  /** Path and query, sent as given (no encoding). */
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Fail when the answer takes longer (default 30 s). */
  timeoutMs?: number;
  /** Send on a kept-alive connection (HTTP/1.1 keep-alive, as browsers and proxies do). */
  keepAlive?: boolean;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** The parsed body, or undefined when it is not JSON. */
  json: unknown;
}

/** A new connection per request: an answer that closes its connection never breaks the next request. */
const agent = new Agent({ keepAlive: false });
const keepAliveAgent = new Agent({ keepAlive: true });

/** One HTTP request with full control over path, headers and body bytes (supertest would fix them up). */
export function rawRequest(baseUrl: string, req: RawRequest): Promise<RawResponse> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const body = req.body === undefined ? undefined : Buffer.isBuffer(req.body) ? req.body : Buffer.from(req.body);
    const outgoing = httpRequest(
      {
        agent: req.keepAlive ? keepAliveAgent : agent,
        host: url.hostname === 'localhost' || url.hostname === '[::1]' ? '127.0.0.1' : url.hostname,
        port: url.port,
        method: req.method,
        path: req.path,
        headers: { ...(body ? { 'content-length': String(body.length) } : {}), ...req.headers },
        timeout: req.timeoutMs ?? 30_000,
      },
      (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
        incoming.on('error', reject);
        incoming.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: incoming.statusCode ?? 0, headers: incoming.headers, text, json });
        });
      },
    );
    outgoing.on('timeout', () =>
      outgoing.destroy(new Error(`no answer within ${req.timeoutMs ?? 30_000} ms: ${req.method} ${req.path}`)),
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

/** Percent-encodes every byte but the unreserved ones (unlike encodeURIComponent, never throws). */
export function encodePathSegment(text: string): string {
  let encoded = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const char = String.fromCharCode(byte);
    encoded += /[A-Za-z0-9_.~-]/.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return encoded;
}
