import amqp from 'amqplib';
import { stepPrograms } from 'test-broker';
import { useTestVhost } from 'test-broker/vitest';
import { afterEach, describe, expect, it } from 'vitest';

const broker = await useTestVhost('hello-world');

const steps = stepPrograms(import.meta.url, { AMQP_URL: broker.amqpUrl });
/** Runs src/<name>.ts as a reader would, against this file's vhost unless told otherwise. */
const runProgram = (name: string, args: string[] = [], amqpUrl = broker.amqpUrl) =>
  steps.program(name, args, { AMQP_URL: amqpUrl });
const runOfficial = steps.official;

async function onChannel<T>(use: (channel: amqp.Channel) => Promise<T>): Promise<T> {
  const connection = await amqp.connect(broker.amqpUrl);
  try {
    const channel = await connection.createChannel();
    channel.on('error', () => {});
    return await use(channel);
  } finally {
    await connection.close().catch(() => undefined);
  }
}

afterEach(() => onChannel((channel) => channel.deleteQueue('hello')));

describe('hello-world: send and receive', () => {
  it('receive prints the message send sent, and send exits 0 only after the confirm', async () => {
    const receive = runProgram('receive');
    await receive.line('Waiting for messages');

    const send = runProgram('send', ['Hi from the test']);
    expect(await send.exit()).toEqual({ code: 0, signal: null });
    expect(send.output).toEqual([" [x] Sent 'Hi from the test'"]);

    expect(await receive.line('Received')).toBe(" [x] Received 'Hi from the test'");
    receive.child.kill('SIGINT');
    expect(await receive.exit()).toEqual({ code: 0, signal: null });
  });

  it('sends plain text to a durable quorum queue, where it waits while nobody receives', async () => {
    expect((await runProgram('send', ['Kept for later']).exit()).code).toBe(0);

    const queue = await broker.management.request<{ durable: boolean; type: string; messages: number }>(
      'GET',
      `/queues/${encodeURIComponent(broker.vhost)}/hello`,
    );
    expect({ durable: queue.durable, type: queue.type }).toEqual({ durable: true, type: 'quorum' });
    const message = await onChannel((channel) => channel.get('hello', { noAck: false }));
    if (!message) throw new Error('"hello" is empty');
    expect(message.content.toString()).toBe('Kept for later');
    expect(message.properties.contentType).toBeUndefined();
  });

  it("the official tutorial's send.py (pika) reaches our receive", async () => {
    const receive = runProgram('receive');
    await receive.line('Waiting for messages');

    const send = await runOfficial('send', ['Hello from Python']);
    expect((await send.exit()).code).toBe(0);
    expect(await receive.line('Received')).toBe(" [x] Received 'Hello from Python'");
  });

  it("our send reaches the official tutorial's receive.py (pika)", async () => {
    const receive = await runOfficial('receive');
    await receive.line('Waiting for messages');

    expect((await runProgram('send', ['Hello from Node']).exit()).code).toBe(0);
    expect(await receive.line('Received')).toBe(' [x] Received Hello from Node');
  });

  it('a classic "hello" left by an older version: one line naming the queue, the setting and the fix, exit 1', async () => {
    await onChannel((channel) => channel.assertQueue('hello', { durable: true }));
    for (const name of ['send', 'receive']) {
      const program = runProgram(name);
      expect(await program.exit()).toEqual({ code: 1, signal: null });
      expect(program.output).toEqual([
        '[retry-kit] Queue "hello" already exists with other settings: its x-queue-type is classic, this program declares quorum. Delete it with "pnpm rabbitmqctl delete_queue hello" (its messages go with it), or declare it as it is.',
      ]);
    }
  });

  it('with no broker, both programs print one line saying how to start one and exit 1', async () => {
    for (const name of ['send', 'receive']) {
      const program = runProgram(name, [], 'amqp://guest:guest@127.0.0.1:1');
      expect(await program.exit()).toEqual({ code: 1, signal: null });
      expect(program.output).toEqual([
        '[retry-kit] Nothing answers at amqp://guest:***@127.0.0.1:1 (ECONNREFUSED). Is RabbitMQ running there? Check AMQP_URL. Start one with: pnpm broker',
      ]);
    }
  });
});
