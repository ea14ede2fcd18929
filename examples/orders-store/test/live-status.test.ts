import type { AddressInfo } from 'node:net';
import { connect, type RabbitClient, silentLogger } from 'retry-kit';
import { useTestVhost } from 'test-broker/vitest';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApi } from '../src/api.js';
import { announce, type StatusEvent, startStatusFeed } from '../src/live-status.js';
import { type OrderView, openStore } from '../src/plumbing/store.js';

const broker = await useTestVhost('orders-live');
const rabbit = await connect({ url: broker.amqpUrl, logger: silentLogger });
afterAll(() => rabbit.close());

/** Reads a Server-Sent Events stream, one parsed `data:` payload at a time. */
async function* sse(url: string, signal: AbortSignal): AsyncGenerator<{ event: string; data: unknown }> {
  const response = await fetch(url, { signal });
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let end = buffer.indexOf('\n\n');
    while (end >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event = /^event: (.*)$/m.exec(block)?.[1] ?? 'message';
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (data) yield { event, data: JSON.parse(data) };
      end = buffer.indexOf('\n\n');
    }
  }
}

/** An API with live status on a free port, one order placed on it, and that order's event stream. */
async function watchNewOrder(client: RabbitClient, customer_name: string) {
  const app = buildApi(openStore(':memory:'), { feed: await startStatusFeed(client) });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const placed = await fetch(`${base}/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ customer_name, product_ids: [1] }),
  });
  const { id } = (await placed.json()) as { id: number };
  const abort = new AbortController();
  return { app, id, abort, stream: sse(`${base}/orders/${id}/events`, abort.signal) };
}

describe('live status over Server-Sent Events', () => {
  it('streams the order, then each status change announced for it, and nothing for other orders', async () => {
    const { app, id, stream, abort } = await watchNewOrder(rabbit, 'Ada');
    const first = await stream.next();
    expect(first.value).toMatchObject({ event: 'order', data: { id, status: 'pending' } satisfies Partial<OrderView> });

    const change: StatusEvent = { orderId: id, department: 'sales', state: 'retrying', attempts: 1, reason: 'down' };
    await announce(rabbit, { ...change, orderId: id + 1000 }); // another order: not streamed here
    await announce(rabbit, change);
    expect((await stream.next()).value).toEqual({ event: 'status', data: change });

    abort.abort();
    await app.close();
  });

  it('binds an API process’s queue only to the orders its clients watch, and unbinds after the last', async () => {
    const feedA = await startStatusFeed(rabbit);
    const feedB = await startStatusFeed(rabbit);
    const events: StatusEvent[] = [];
    const unwatch = await feedA.watch(7, (event) => events.push(event));
    /** The orders a process's queue is bound for. */
    const boundFor = async (queue: string) =>
      (
        await broker.management.request<{ routing_key: string }[]>(
          'GET',
          `/bindings/${encodeURIComponent(broker.vhost)}/e/order-status/q/${encodeURIComponent(queue)}`,
        )
      ).map((binding) => binding.routing_key);

    expect(await boundFor(feedA.queue)).toEqual(['order.7']);
    let resolveGot!: () => void;
    const got = new Promise<void>((resolve) => {
      resolveGot = resolve;
    });
    await feedB.watch(8, () => resolveGot());
    await announce(rabbit, { orderId: 8, department: 'warehouse', state: 'done', attempts: 0, reason: null });
    await got;
    expect(await boundFor(feedB.queue)).toEqual(['order.8']);
    expect(events).toEqual([]);

    await unwatch();
    expect(await boundFor(feedA.queue)).toEqual([]);
    expect(await boundFor(feedB.queue)).toEqual(['order.8']);
  });

  it.skipIf(!broker.faults)(
    'keeps streaming after RabbitMQ restarts: the queue and its bindings come back',
    async () => {
      const own = await connect({ url: broker.amqpUrl, logger: silentLogger });
      const { app, id, stream, abort } = await watchNewOrder(own, 'Restart');
      await stream.next(); // the snapshot

      // The exclusive queue goes with the connection; recovery declares and binds it again before 'connected'.
      const reconnected = new Promise((resolve) => own.once('connected', resolve));
      await broker.faults!.restart();
      await reconnected;
      const change: StatusEvent = { orderId: id, department: 'warehouse', state: 'done', attempts: 0, reason: null };
      await announce(own, change);
      expect((await stream.next()).value).toEqual({ event: 'status', data: change });

      abort.abort();
      await app.close();
      await own.close();
    },
  );
});
