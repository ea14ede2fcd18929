import amqp from 'amqplib';
import { describe, expect, it } from 'vitest';
import { useTestVhost } from '../src/vitest/index.js';

const broker = await useTestVhost('faults');
const faults = broker.faults;

describe.skipIf(!faults)('fault controls', () => {
  it('restart keeps persistent messages in a durable queue and drops an exclusive queue', async () => {
    const durable = broker.name('durable');
    const before = await amqp.connect(broker.amqpUrl);
    const channel = await before.createConfirmChannel();
    await channel.assertQueue(durable, { durable: true });
    const exclusive = (await channel.assertQueue('', { exclusive: true })).queue;
    for (let i = 0; i < 3; i++) channel.sendToQueue(durable, Buffer.from(`m${i}`), { persistent: true });
    channel.sendToQueue(exclusive, Buffer.from('lost'));
    await channel.waitForConfirms();
    const closed = new Promise((resolve) => before.once('close', resolve));

    await faults?.restart();
    await closed;

    const after = await amqp.connect(broker.amqpUrl);
    try {
      const check = await after.createChannel();
      expect((await check.checkQueue(durable)).messageCount).toBe(3);
      const gone = await after.createChannel();
      gone.on('error', () => {});
      await expect(gone.checkQueue(exclusive)).rejects.toThrow(/NOT_FOUND/);
    } finally {
      await after.close();
    }
  });

  it('close-all-connections closes this vhost’s connections and the client sees why', async () => {
    const connection = await amqp.connect(broker.amqpUrl);
    const closeError = new Promise<Error | undefined>((resolve) => connection.once('close', resolve));
    connection.on('error', () => {});

    await faults?.closeAllConnections(broker.vhost);

    const error = await closeError;
    expect(error?.message).toMatch(/CONNECTION_FORCED.*closed by test-broker/);
  });

  it('stop refuses new connections until start', async () => {
    await faults?.stop();
    try {
      await expect(amqp.connect(broker.amqpUrl)).rejects.toThrow(/ECONNREFUSED/);
    } finally {
      await faults?.start();
    }
    const connection = await amqp.connect(broker.amqpUrl);
    await connection.close();
  });
});
