import type { Socket } from 'node:net';
import amqp from 'amqplib';
import { useTestVhost } from 'test-broker/vitest';
import { describe, expect, it } from 'vitest';
import { batchWrites } from '../src/write-batching.js';

const broker = await useTestVhost('write-batching');
const PUBLISHES = 200;

const SOCKET_WRITES = ['writev', 'writeBuffer', 'writeUtf8String', 'writeLatin1String', 'writeAsciiString'];

/** Counts the writes that reach a connection's socket handle from now on: each is a system call. */
function countSocketWrites(model: amqp.ChannelModel): () => number {
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
  return () => writes;
}

/** Publishes `perChannel` messages on each of `channels` confirm channels in one tick, and counts the socket writes. */
async function socketWritesForBurst(batched: boolean, channels: number, perChannel: number): Promise<number> {
  const model = await amqp.connect(broker.amqpUrl);
  try {
    if (batched) batchWrites(model);
    const queue = broker.name(`${batched ? 'batched' : 'unbatched'}-${channels}`);
    const opened = await Promise.all(Array.from({ length: channels }, () => model.createConfirmChannel()));
    await opened[0]?.assertQueue(queue, { durable: false });
    const writes = countSocketWrites(model);
    for (const channel of opened) {
      for (let n = 0; n < perChannel; n++) channel.sendToQueue(queue, Buffer.from(`message ${n}`));
    }
    await Promise.all(opened.map((channel) => channel.waitForConfirms()));
    const written = writes();
    expect((await opened[0]?.checkQueue(queue))?.messageCount).toBe(channels * perChannel);
    return written;
  } finally {
    await model.close();
  }
}

describe('batchWrites', () => {
  it('sends what a connection writes in one tick in a few socket writes, not one per frame, and loses none', async () => {
    const unbatched = await socketWritesForBurst(false, 1, PUBLISHES);
    const batched = await socketWritesForBurst(true, 1, PUBLISHES);
    // amqplib joins a publish's three frames: unbatched, a write per publish.
    expect(batched).toBeLessThanOrEqual(PUBLISHES / 20);
    expect(batched * 5).toBeLessThan(unbatched);
  });

  it("sends what several channels write in one tick in one socket write, as a retry's publish and its ack", async () => {
    // amqplib's muxer writes each channel's frames in turn from one callback.
    expect(await socketWritesForBurst(false, 2, 1)).toBe(2);
    expect(await socketWritesForBurst(true, 2, 1)).toBe(1);
  });
});
