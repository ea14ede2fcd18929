// The same work written by hand with amqplib, as the baseline for the kit.
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import amqp, { type ConfirmChannel, type Options } from 'amqplib';
import { type Measured, measure } from './broker.js';

/**
 * Publishes with confirms, `window` unconfirmed at a time. `sameMessage` sends
 * what the kit sends (a message id, a timestamp, mandatory so an unroutable
 * message is noticed); without it, the barest publish.
 */
export async function rawPublish(
  url: string,
  queue: string,
  total: number,
  window: number,
  sameMessage = true,
): Promise<Measured> {
  const connection = await amqp.connect(url);
  const channel: ConfirmChannel = await connection.createConfirmChannel();
  await channel.assertQueue(queue, { durable: true });
  let next = 0;
  // Backpressure, as a careful hand-written producer does it: when the socket
  // buffer is full, every worker waits for 'drain'.
  let drained: Promise<void> | undefined;
  const worker = async () => {
    while (next < total) {
      const n = next++;
      while (drained) await drained;
      await new Promise<void>((resolve, reject) => {
        const body = Buffer.from(JSON.stringify({ n, text: 'benchmark payload' }));
        const properties: Options.Publish = { persistent: true, contentType: 'application/json' };
        if (sameMessage) {
          Object.assign(properties, {
            messageId: randomUUID(),
            timestamp: Math.floor(Date.now() / 1000),
            mandatory: true,
          });
        }
        const written = channel.sendToQueue(queue, body, properties, (error) => (error ? reject(error) : resolve()));
        if (!written && !drained) {
          drained = once(channel, 'drain').then(() => {
            drained = undefined;
          });
        }
      });
    }
  };
  const measured = await measure(total, async () => {
    await Promise.all(Array.from({ length: window }, worker));
  });
  await connection.close();
  return measured;
}

export async function rawConsume(url: string, queue: string, total: number, prefetch: number): Promise<Measured> {
  const connection = await amqp.connect(url);
  const channel = await connection.createChannel();
  await channel.prefetch(prefetch);
  const measured = await measure(total, async () => {
    await new Promise<void>((resolve) => {
      let acked = 0;
      void channel.consume(queue, (message) => {
        if (!message) return;
        JSON.parse(message.content.toString());
        channel.ack(message);
        if (++acked === total) resolve();
      });
    });
  });
  await connection.close();
  return measured;
}

/** Fills `queue` with `total` messages, for the consume benchmarks. */
export async function fill(url: string, queue: string, total: number): Promise<void> {
  const connection = await amqp.connect(url);
  const channel = await connection.createConfirmChannel();
  await channel.assertQueue(queue, { durable: true });
  for (let n = 0; n < total; n++) {
    const body = Buffer.from(JSON.stringify({ n, text: 'benchmark payload' }));
    if (!channel.sendToQueue(queue, body, { persistent: true, contentType: 'application/json' })) {
      await new Promise((resolve) => channel.once('drain', resolve));
    }
  }
  await channel.waitForConfirms();
  await connection.close();
}

export async function deleteQueue(url: string, queue: string): Promise<void> {
  const connection = await amqp.connect(url);
  await (await connection.createChannel()).deleteQueue(queue);
  await connection.close();
}
