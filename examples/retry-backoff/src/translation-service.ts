import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in for a third-party translation API that goes down now and then:
 * it answers 503 until `downForMs` after it starts, then translates; the text
 * "hopeless" it never translates. A real HTTP server on 127.0.0.1.
 */
export async function startTranslationService(
  downForMs: number,
): Promise<{ url: string; upAt: number; close: () => Promise<void> }> {
  const upAt = Date.now() + downForMs;
  const server: Server = createServer((request, response) => {
    const text = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').searchParams.get('text') ?? '');
    if (Date.now() < upAt || text === 'hopeless') {
      response
        .writeHead(503, { 'content-type': 'application/json' })
        .end('{"error":"translation service unavailable"}');
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ translated: `[fr] ${text}` }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/translate`,
    upAt,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
