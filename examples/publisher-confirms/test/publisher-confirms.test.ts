import { once } from 'node:events';
import amqp from 'amqplib';
import { connect, quietLogger } from 'retry-kit';
import { stepPrograms } from 'test-broker';
import { useTestVhost } from 'test-broker/vitest';
import { afterAll, describe, expect, it } from 'vitest';
import { type OutgoingMessage, publishAsynchronously, publishIndividually } from '../src/strategies.js';

const broker = await useTestVhost('publisher-confirms');
const { program } = stepPrograms(import.meta.url, { AMQP_URL: broker.amqpUrl });

/** A confirm channel on a connection of its own, closed when the file ends. */
async function confirmChannel() {
  const connection = await amqp.connect(broker.amqpUrl);
  afterAll(() => connection.close());
  return connection.createConfirmChannel();
}

const messages = (count: number, from = 1): OutgoingMessage[] =>
  Array.from({ length: count }, (_, i) => ({ id: String(from + i), body: Buffer.from(`message ${from + i}`) }));

/** The ids of every message in `queue`, taken off it. */
async function drain(queue: string): Promise<string[]> {
  const connection = await amqp.connect(broker.amqpUrl);
  const channel = await connection.createChannel();
  const ids: string[] = [];
  for (
    let message = await channel.get(queue, { noAck: true });
    message;
    message = await channel.get(queue, { noAck: true })
  ) {
    ids.push(message.properties.messageId ?? message.content.toString());
  }
  await connection.close();
  return ids;
}

describe('publisher confirms', () => {
  it('publisher_confirms: with confirms, each strategy finds every message in its queue when done', async () => {
    const run = program('publisher_confirms', ['500']);
    expect(await run.exit()).toEqual({ code: 0, signal: null });
    const rows = run.output.filter((line) => /^ {2}\S.*\s\d+$/.test(line) && !line.includes('strategy'));
    expect(rows.map((row) => row.replace(/\s+[\d,]+\s+(\d+)$/, ' | $1'))).toEqual([
      expect.stringMatching(/^ {2}no confirms \(publish and hope\) \| \d+$/),
      '  one at a time (wait for each) | 500',
      '  in batches of 100 | 500',
      '  asynchronously (256 in flight) | 500',
    ]);
  });

  it('confirm_failures: nacks from a full queue, a return with mandatory, and a silent drop without', async () => {
    const run = program('confirm_failures');
    expect(await run.exit()).toEqual({ code: 0, signal: null });
    expect(run.output).toEqual([
      ' [x] Five messages to a queue that holds three: m1 confirmed, m2 confirmed, m3 confirmed, m4 nacked, m5 nacked',
      ' [x] To a queue that does not exist, mandatory: hello returned',
      ' [x] To a queue that does not exist, not mandatory: hello confirmed, and dropped',
    ]);
  });

  it('a nacked message is reported and not in the queue; the confirmed ones are', async () => {
    const channel = await confirmChannel();
    const queue = broker.name('full');
    await channel.assertQueue(queue, {
      durable: true,
      arguments: { 'x-max-length': 3, 'x-overflow': 'reject-publish' },
    });

    const outcomes = await publishAsynchronously(channel, '', queue, messages(5));

    expect([...outcomes]).toEqual([
      ['1', 'confirmed'],
      ['2', 'confirmed'],
      ['3', 'confirmed'],
      ['4', 'nacked'],
      ['5', 'nacked'],
    ]);
    expect(await drain(queue)).toEqual(['1', '2', '3']);
  });

  it('one at a time: the nack rejects the wait for that very message', async () => {
    const channel = await confirmChannel();
    channel.on('error', () => {});
    const queue = broker.name('holds-one');
    await channel.assertQueue(queue, {
      durable: true,
      arguments: { 'x-max-length': 1, 'x-overflow': 'reject-publish' },
    });
    const bodies = [Buffer.from('fits'), Buffer.from('refused')];

    await expect(publishIndividually(channel, queue, bodies)).rejects.toThrow('message nacked');
    expect(await drain(queue)).toEqual(['fits']);
  });

  it.skipIf(!broker.faults)(
    'a connection lost with messages unconfirmed: publishing those again on the new one loses none',
    async () => {
      const rabbit = await connect({ url: broker.amqpUrl, logger: quietLogger });
      afterAll(() => rabbit.close());
      const queue = broker.name('resent');
      const managed = await rabbit.setupChannel(
        async (channel) => {
          await channel.assertQueue(queue, { durable: true });
        },
        { confirm: true },
      );
      const all = messages(2000);
      const first = await publishAsynchronously(managed.channel, '', queue, all.slice(0, 500));
      expect(new Set(first.values())).toEqual(new Set(['confirmed']));

      // The broker stops reading from a publisher under a memory alarm: what is
      // sent now waits for its confirm until the connection is closed under it.
      const blocked = once(rabbit, 'blocked');
      const reconnected = once(rabbit, 'connected');
      let rest: Map<string, string>;
      await broker.faults!.memoryAlarm(true);
      try {
        const publishing = publishAsynchronously(managed.channel, '', queue, all.slice(500));
        await blocked;
        await broker.faults!.closeAllConnections(broker.vhost);
        rest = await publishing;
      } finally {
        await broker.faults!.memoryAlarm(false);
      }
      const unconfirmed = new Set([...rest].filter(([, outcome]) => outcome === 'unconfirmed').map(([id]) => id));
      expect(unconfirmed.size).toBeGreaterThan(0);
      expect(rest.size).toBe(1500);

      await reconnected;
      const again = await publishAsynchronously(
        managed.channel,
        '',
        queue,
        all.filter(({ id }) => unconfirmed.has(id)),
      );
      expect(new Set(again.values())).toEqual(new Set(['confirmed']));

      // Every message is there; one sent before the drop but never confirmed may be there twice.
      const ids = await drain(queue);
      expect(new Set(ids)).toEqual(new Set(all.map(({ id }) => id)));
      expect(ids.length - all.length).toBeLessThanOrEqual(unconfirmed.size);
    },
  );
});
