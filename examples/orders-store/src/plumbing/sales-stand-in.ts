import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SalesBehaviour {
  /** Answer 503 to this many requests, then recover. */
  failFirst?: number;
  /** Answer 503 to every request. */
  failAlways?: boolean;
  /** Wait this long before answering. */
  delayMs?: number;
}

export interface SalesStandIn {
  url: string;
  /** Sales recorded, by idempotency key: a repeated key is not counted twice. */
  sales: Map<string, unknown>;
  requests: number;
  /** Called as each request arrives, before it is answered. */
  onRequest: () => void;
  behave(behaviour: SalesBehaviour): void;
  close(): Promise<void>;
}

/**
 * A stand-in for the sales system, a third party we do not own: a real HTTP
 * server on 127.0.0.1 that can be told to fail or be slow. Like real payment
 * and sales APIs, it honours an Idempotency-Key header.
 */
export async function startSalesStandIn(behaviour: SalesBehaviour = {}, port = 0): Promise<SalesStandIn> {
  let current = { ...behaviour };
  let failed = 0;
  const standIn: Omit<SalesStandIn, 'url' | 'close'> = {
    sales: new Map(),
    requests: 0,
    onRequest: () => {},
    behave: (next) => {
      current = { ...next };
      failed = 0;
    },
  };
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    request.on('end', () => {
      standIn.requests++;
      standIn.onRequest();
      setTimeout(() => {
        if (current.failAlways || failed < (current.failFirst ?? 0)) {
          failed++;
          response.writeHead(503, { 'content-type': 'application/json' }).end('{"error":"sales system unavailable"}');
          return;
        }
        const key = String(request.headers['idempotency-key'] ?? body);
        if (!standIn.sales.has(key)) standIn.sales.set(key, JSON.parse(body));
        response.writeHead(201, { 'content-type': 'application/json' }).end('{"recorded":true}');
      }, current.delayMs ?? 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const { port: bound } = server.address() as AddressInfo;
  return Object.assign(standIn, {
    url: `http://127.0.0.1:${bound}/sales`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}
