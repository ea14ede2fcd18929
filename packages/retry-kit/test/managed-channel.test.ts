import amqp, { type ConsumeMessage } from 'amqplib';
import { useTestVhost } from 'test-broker/vitest';
import { describe, expect, it } from 'vitest';
import { connect, TopologyConflictError } from '../src/index.js';
import { connectTo, deferred, recordingLogger } from './helpers.js';

const broker = await useTestVhost('managed-channel');
const QUORUM = { durable: true, arguments: { 'x-queue-type': 'quorum' } };

async function queueCounts(queue: string) {
  const connection = await amqp.connect(broker.amqpUrl);
  const channel = await connection.createChannel();
  const { messageCount, consumerCount } = await channel.checkQueue(queue);
  await connection.close();
  return { messageCount, consumerCount };
}

async function publish(queue: string, text: string) {
  const connection = await amqp.connect(broker.amqpUrl);
  const channel = await connection.createConfirmChannel();
  channel.sendToQueue(queue, Buffer.from(text), { persistent: true });
  await channel.waitForConfirms();
  await connection.close();
}

describe('a channel the program drives with amqplib (setupChannel)', () => {
  it('a confirm channel: what the program publishes is confirmed by the broker', async () => {
    const rabbit = await connectTo(broker);
    const queue = broker.name('confirmed');
    const { channel } = await rabbit.setupChannel(
      async (channel) => {
        await channel.assertQueue(queue, QUORUM);
      },
      { confirm: true },
    );
    channel.sendToQueue(queue, Buffer.from('Hello World!'), { persistent: true });
    await channel.waitForConfirms();
    expect(await queueCounts(queue)).toEqual({ messageCount: 1, consumerCount: 0 });
  });

  it.skipIf(!broker.faults)(
    'runs its setup again on a new channel after a reconnect, so its consumer comes back',
    async () => {
      const rabbit = await connectTo(broker);
      const queue = broker.name('recovered');
      const received: string[] = [];
      let setups = 0;
      const arrived = deferred();
      await rabbit.setupChannel(async (channel) => {
        setups++;
        await channel.assertQueue(queue, QUORUM);
        await channel.consume(queue, (message) => {
          if (!message) return;
          received.push(message.content.toString());
          channel.ack(message);
          if (received.includes('after')) arrived.resolve();
        });
      });
      const reconnected = deferred();
      rabbit.once('disconnected', () => rabbit.once('connected', () => reconnected.resolve()));
      await broker.faults!.closeAllConnections(broker.vhost);
      await reconnected.promise;

      await publish(queue, 'after');
      await arrived.promise;
      expect(setups).toBe(2);
      expect(received).toEqual(['after']);
    },
  );

  it.skipIf(!broker.faults)(
    'a connection that drops during the first setup: the setup runs again on the recovered connection',
    async () => {
      const logger = recordingLogger();
      const rabbit = await connectTo(broker, { logger });
      const queue = broker.name('dropped-in-setup');
      let setups = 0;
      const arrived = deferred<string>();
      await rabbit.setupChannel(async (channel) => {
        setups++;
        if (setups === 1) await broker.faults!.closeAllConnections(broker.vhost);
        await channel.assertQueue(queue, QUORUM);
        await channel.consume(queue, (message) => {
          if (!message) return;
          channel.ack(message);
          arrived.resolve(message.content.toString());
        });
      });

      await publish(queue, 'after the drop');
      expect(await arrived.promise).toBe('after the drop');
      expect(setups).toBe(2);
      expect(logger.lines).toContain(
        'warn the connection dropped while setting up a channel of setupChannel: setting it up again',
      );
    },
  );

  it('on close, cancels its consumer and waits for the message in hand to be acked', async () => {
    const rabbit = await connect({ url: broker.amqpUrl, logger: recordingLogger() });
    const queue = broker.name('in-hand');
    const inHand = deferred<ConsumeMessage>();
    const managed = await rabbit.setupChannel(async (channel) => {
      // Classic: its consumer count drops at the cancel (a quorum queue counts a
      // cancelled consumer until its messages are settled).
      await channel.assertQueue(queue, { durable: true });
      await channel.prefetch(1);
      await channel.consume(queue, (message) => message && inHand.resolve(message));
    });
    await publish(queue, 'task');
    await publish(queue, 'next');
    const message = await inHand.promise;

    const closed = rabbit.close({ timeoutMs: 10_000 });
    // The consumer is cancelled first: nothing else is delivered while closing.
    await expect.poll(async () => (await queueCounts(queue)).consumerCount).toBe(0);
    managed.channel.ack(message);
    await closed;
    // Acked before the channel closed: only the second message is left, ready.
    expect(await queueCounts(queue)).toEqual({ messageCount: 1, consumerCount: 0 });
  });

  it('a declaration that conflicts rejects with one line naming the queue, the setting and the fix', async () => {
    const rabbit = await connectTo(broker);
    const queue = broker.name('conflicting');
    await rabbit.setupChannel(async (channel) => {
      await channel.assertQueue(queue, { durable: true });
    });

    const conflict = rabbit.setupChannel(async (channel) => {
      await channel.assertQueue(queue, QUORUM);
    });

    await expect(conflict).rejects.toThrow(TopologyConflictError);
    await expect(conflict).rejects.toMatchObject({
      message: `Queue "${queue}" already exists with other settings: its x-queue-type is classic, this program declares quorum. Delete it with "rabbitmqctl delete_queue ${queue}" (its messages go with it), or declare it as it is.`,
      fix: `delete_queue ${queue}`,
    });
    // The failed channel took nothing else with it.
    expect(rabbit.connected).toBe(true);
  });

  it('a channel the broker closes (an ack of an unknown delivery tag) is set up again; the connection stays', async () => {
    const logger = recordingLogger();
    const rabbit = await connectTo(broker, { logger });
    const queue = broker.name('reopened');
    let setups = 0;
    const received: string[] = [];
    const second = deferred();
    await rabbit.setupChannel(async (channel) => {
      setups++;
      // Classic: a quorum queue may drop the ack sent right before the channel closes (rabbitmq-server 10327).
      await channel.assertQueue(queue, { durable: true });
      await channel.consume(queue, (message) => {
        if (!message) return;
        received.push(message.content.toString());
        if (received.length === 1) {
          // A bug: acking twice. The broker closes the channel (PRECONDITION_FAILED).
          channel.ack(message);
          channel.ack(message);
        } else {
          channel.ack(message);
          second.resolve();
        }
      });
    });
    let dropped = false;
    rabbit.once('disconnected', () => {
      dropped = true;
    });

    await publish(queue, 'first');
    await expect.poll(() => setups).toBe(2);
    await publish(queue, 'second');
    await second.promise;

    expect(received).toEqual(['first', 'second']);
    expect(dropped).toBe(false);
    expect(logger.lines).toContain('warn the broker closed a channel of setupChannel: setting it up again');
  });

  it.skipIf(!broker.faults)(
    'an ack after the connection dropped is dropped too: the broker has given the message back',
    async () => {
      const rabbit = await connectTo(broker);
      const queue = broker.name('late-ack');
      const inHand = deferred<ConsumeMessage>();
      const managed = await rabbit.setupChannel(async (channel) => {
        await channel.assertQueue(queue, QUORUM);
        await channel.consume(queue, (message) => message && inHand.resolve(message));
      });
      await publish(queue, 'task');
      const message = await inHand.promise;
      const channel = managed.channel;
      const reconnected = deferred();
      rabbit.once('disconnected', () => rabbit.once('connected', () => reconnected.resolve()));
      await broker.faults!.closeAllConnections(broker.vhost);
      await reconnected.promise;

      expect(() => channel.ack(message)).not.toThrow();
    },
  );

  it('a message never acked holds close up to its timeout, is reported, and goes back to its queue', async () => {
    const logger = recordingLogger();
    const rabbit = await connect({ url: broker.amqpUrl, logger });
    const queue = broker.name('never-acked');
    const inHand = deferred();
    await rabbit.setupChannel(async (channel) => {
      await channel.assertQueue(queue, { durable: true });
      await channel.consume(queue, (message) => message && inHand.resolve());
    });
    await publish(queue, 'forgotten');
    await inHand.promise;

    await rabbit.close({ timeoutMs: 200 });

    expect(logger.lines).toContain(
      'warn closing after 200 ms with 1 message(s) of setupChannel never acked; they go back to their queues',
    );
    expect(await queueCounts(queue)).toEqual({ messageCount: 1, consumerCount: 0 });
  });

  it('rejects with what the setup threw', async () => {
    const rabbit = await connectTo(broker);
    await expect(
      rabbit.setupChannel(async () => {
        throw new Error('no such thing');
      }),
    ).rejects.toThrow('no such thing');
  });
});
