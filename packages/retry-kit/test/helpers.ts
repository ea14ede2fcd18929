import type { TestBroker } from 'test-broker/vitest';
import { afterAll } from 'vitest';
import { type ConnectOptions, connect, type Logger, type RabbitClient } from '../src/index.js';

/** A logger that keeps every line, so tests can read what the kit said. */
export function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    info: (line) => lines.push(`info ${line}`),
    warn: (line) => lines.push(`warn ${line}`),
    error: (line) => lines.push(`error ${line}`),
  };
}

/** Connects to the test vhost, quietly, and closes the client after the file. */
export async function connectTo(broker: TestBroker, options: ConnectOptions = {}): Promise<RabbitClient> {
  const client = await connect({ url: broker.amqpUrl, logger: recordingLogger(), ...options });
  afterAll(() => client.close({ timeoutMs: 2_000 }));
  return client;
}

/** A promise with its resolve function outside, for awaiting events. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/**
 * The next message of `queue`, taken (and acked) with plain amqplib. The
 * queue is declared (as `declareAs` says) in case it does not exist yet: the
 * kit declares a dead-letter queue only when a message first fails.
 */
export async function takeOne(
  url: string,
  queue: string,
  declareAs: import('amqplib').Options.AssertQueue = { durable: true },
): Promise<import('amqplib').ConsumeMessage> {
  const { default: amqp } = await import('amqplib');
  const connection = await amqp.connect(url);
  try {
    const channel = await connection.createChannel();
    await channel.assertQueue(queue, declareAs);
    return await new Promise((resolve) => {
      void channel.consume(queue, (message) => {
        if (!message) return;
        channel.ack(message);
        resolve(message);
      });
    });
  } finally {
    await connection.close();
  }
}
