import { useTestVhost } from 'test-broker/vitest';
import { describe, expect, it } from 'vitest';
import { TopologyConflictError } from '../src/index.js';
import { connectTo, deferred } from './helpers.js';

const broker = await useTestVhost('topology');
const rabbit = await connectTo(broker);

describe('declaring topology', () => {
  it('declares exchanges, queues of both types and bindings, and declaring again changes nothing', async () => {
    const exchange = broker.name('events');
    const classic = broker.name('classic');
    const quorum = broker.name('quorum');
    const topology = {
      exchanges: [{ name: exchange, type: 'fanout' as const }],
      queues: [
        { name: classic, maxLength: 100, overflow: 'reject-publish' as const },
        {
          name: quorum,
          type: 'quorum' as const,
          deadLetterStrategy: 'at-least-once' as const,
          overflow: 'reject-publish' as const,
        },
      ],
      bindings: [
        { source: exchange, queue: classic },
        { source: exchange, queue: quorum },
      ],
    };
    await rabbit.declare(topology);
    await rabbit.declare(topology);

    await rabbit.publish(exchange, '', { fanned: 'out' });
    const queues = await broker.management.listQueues(broker.vhost);
    const byName = new Map(queues.map((queue) => [queue.name, queue]));
    expect(byName.get(classic)).toMatchObject({
      durable: true,
      arguments: { 'x-max-length': 100, 'x-overflow': 'reject-publish' },
    });
    expect(byName.get(quorum)).toMatchObject({
      durable: true,
      type: 'quorum',
      arguments: { 'x-dead-letter-strategy': 'at-least-once' },
    });
  });

  it('a conflicting declaration names the queue and the differing argument, and the client keeps working', async () => {
    const queue = broker.name('conflict');
    await rabbit.declare({ queues: [{ name: queue, maxLength: 10 }] });

    const conflict = rabbit.declare({ queues: [{ name: queue, maxLength: 20 }] });

    await expect(conflict).rejects.toThrow(TopologyConflictError);
    await expect(conflict).rejects.toMatchObject({
      resource: `Queue "${queue}"`,
      argument: 'x-max-length',
      message: `Queue "${queue}" already exists with other settings: its x-max-length is 10, this program declares 20. Delete it with "rabbitmqctl delete_queue ${queue}" (its messages go with it), or declare it as it is.`,
    });
    await rabbit.sendToQueue(queue, { after: 'conflict' });
  });

  it('a classic declaration of a quorum queue says "classic", whatever word the broker uses', async () => {
    const queue = broker.name('was-quorum');
    await rabbit.declare({ queues: [{ name: queue, type: 'quorum' }] });

    await expect(rabbit.declare({ queues: [{ name: queue }] })).rejects.toMatchObject({
      message: `Queue "${queue}" already exists with other settings: its x-queue-type is quorum, this program declares classic. Delete it with "rabbitmqctl delete_queue ${queue}" (its messages go with it), or declare it as it is.`,
    });
  });

  it.skipIf(!broker.faults)('re-declares everything after a reconnect', async () => {
    const queue = broker.name('redeclared');
    await rabbit.declare({ queues: [{ name: queue }] });
    await broker.management.request(
      'DELETE',
      `/queues/${encodeURIComponent(broker.vhost)}/${encodeURIComponent(queue)}`,
    );
    const reconnected = deferred();
    rabbit.once('connected', () => reconnected.resolve());

    await broker.faults?.closeAllConnections(broker.vhost);
    await reconnected.promise;

    await expect(broker.management.getQueue(broker.vhost, queue)).resolves.toMatchObject({ name: queue });
  });
});

describe('binding and unbinding', () => {
  it.skipIf(!broker.faults)(
    'a binding made with bind() survives a reconnect; one removed with unbind() stays removed',
    async () => {
      const exchange = broker.name('status');
      const queue = broker.name('watcher');
      await rabbit.declare({ exchanges: [{ name: exchange, type: 'topic' }], queues: [{ name: queue }] });
      await rabbit.bind({ source: exchange, queue, routingKey: 'order.1' });
      await rabbit.bind({ source: exchange, queue, routingKey: 'order.2' });
      await rabbit.unbind({ source: exchange, queue, routingKey: 'order.2' });
      // Lose order.1 behind the client's back: only re-declaration can bring it back.
      const path = `/bindings/${encodeURIComponent(broker.vhost)}/e/${encodeURIComponent(exchange)}/q/${encodeURIComponent(queue)}`;
      await broker.management.request('DELETE', `${path}/order.1`);
      expect(await broker.management.request<unknown[]>('GET', path)).toEqual([]);

      const reconnected = deferred();
      rabbit.once('connected', () => reconnected.resolve());
      await broker.faults?.closeAllConnections(broker.vhost);
      await reconnected.promise;

      const bindings = await broker.management.request<{ routing_key: string }[]>('GET', path);
      expect(bindings.map((binding) => binding.routing_key)).toEqual(['order.1']);
    },
  );
});
