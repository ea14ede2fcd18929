import amqp from 'amqplib';
import { afterAll, describe, expect, it } from 'vitest';
import { withVhost } from '../src/handle.js';
import { useTestVhost } from '../src/vitest/index.js';

const broker = await useTestVhost('isolation');

describe('a fresh vhost per test file', () => {
  it('keeps a queue and its messages invisible to another vhost with the same queue name', async () => {
    const otherVhost = `${broker.vhost}-other`;
    await broker.management.createVhost(otherVhost, broker.handle.username);
    afterAll(() => broker.management.deleteVhost(otherVhost));

    const mine = await amqp.connect(broker.amqpUrl);
    const theirs = await amqp.connect(withVhost(broker.handle.amqpUrl, otherVhost));
    try {
      const myChannel = await mine.createConfirmChannel();
      const theirChannel = await theirs.createChannel();
      await myChannel.assertQueue('shared-name', { durable: true });
      await theirChannel.assertQueue('shared-name', { durable: true });
      myChannel.sendToQueue('shared-name', Buffer.from('only mine'), { persistent: true });
      await myChannel.waitForConfirms();

      expect((await myChannel.checkQueue('shared-name')).messageCount).toBe(1);
      expect((await theirChannel.checkQueue('shared-name')).messageCount).toBe(0);
      const theirQueues = await broker.management.listQueues(otherVhost);
      expect(theirQueues.map((queue) => queue.name)).toEqual(['shared-name']);
    } finally {
      await mine.close();
      await theirs.close();
    }
  });
});
