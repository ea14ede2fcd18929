import type { Socket } from 'node:net';
import amqp from 'amqplib';
import { useTestVhost } from 'test-broker/vitest';
import { describe, expect, it } from 'vitest';
import { batchWrites } from '../src/write-batching.js';

const broker = await useTestVhost('write-batching');
const PUBLISHES = 200;

const SOCKET_WRITES = ['writev', 'writeBuffer', 'writeUtf8String', 'writeLatin1String', 'writeAsciiString'];

/**
 * Publishes PUBLISHES messages in one tick on a new connection and counts
 * the writes that reach its socket's handle: each is a system call.
 */
async function socketWritesForBurst(batched: boolean): Promise<number> {
  const model = await amqp.connect(broker.amqpUrl);
  try {
    if (batched) batchWrites(model);
    const channel = await model.createConfirmChannel();
    const queue = broker.name(batched ? 'batched' : 'unbatched');
    await channel.assertQueue(queue, { durable: false });
    const handle = (model.connection as unknown as { stream: Socket & { _handle: Record<string, unknown> } }).stream
      ._handle;
    let writes = 0;
    for (const name of SOCKET_WRITES) {
      const write = handle[name] as ((...args: unknown[]) => unknown) | undefined;
      if (!write) continue;
      handle[name] = (...args: unknown[]) => {
        writes++;
        return write.apply(handle, args);
      };
    }
    for (let n = 0; n < PUBLISHES; n++) channel.sendToQueue(queue, Buffer.from(`message ${n}`));
    await channel.waitForConfirms();
    expect((await channel.checkQueue(queue)).messageCount).toBe(PUBLISHES);
    return writes;
  } finally {
    await model.close();
  }
}

describe('batchWrites', () => {
  it('sends what a connection writes in one tick in a few socket writes, not one per frame, and loses none', async () => {
    const unbatched = await socketWritesForBurst(false);
    const batched = await socketWritesForBurst(true);
    // amqplib joins a publish's three frames: unbatched, a write per publish (201 here, 3 batched).
    expect(batched).toBeLessThanOrEqual(PUBLISHES / 20);
    expect(batched * 5).toBeLessThan(unbatched);
  });
});
