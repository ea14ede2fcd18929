import amqp from 'amqplib';
import { pollUntil } from 'test-broker';
import { useTestVhost } from 'test-broker/vitest';
import { describe, expect, it } from 'vitest';
import { HEADERS } from '../src/tooling.js';
import { retryKit, startRetryKit } from './cli-run.js';

const broker = await useTestVhost('cli-replay-crash');
const COUNT = 10_000;

describe('retry-kit dead replay, killed halfway', () => {
  it('moves every dead letter exactly once over two runs: none lost, none twice', async () => {
    const queue = broker.name('payments');
    const connection = await amqp.connect(broker.amqpUrl);
    const channel = await connection.createConfirmChannel();
    await channel.assertQueue(queue, { durable: true });
    await channel.assertQueue(`${queue}.dead`, { durable: true });
    for (let n = 0; n < COUNT; n++) {
      channel.sendToQueue(`${queue}.dead`, Buffer.from(JSON.stringify({ n })), {
        persistent: true,
        messageId: `dead-${n}`,
        headers: { [HEADERS.reason]: 'exhausted', [HEADERS.queue]: queue, [HEADERS.attempts]: 5 },
      });
    }
    await channel.waitForConfirms();
    const depth = async (name: string) => (await channel.checkQueue(name)).messageCount;

    const first = startRetryKit(broker, ['dead', 'replay', '--queue', queue]);
    await first.line(`replayed ${COUNT / 2} of at most ${COUNT}`);
    first.child.kill('SIGKILL');
    await first.exit();
    // The broker gives back what the dead connection held: then every message is in exactly one place.
    await pollUntil(async () => (await depth(queue)) + (await depth(`${queue}.dead`)) === COUNT, {
      timeoutMs: 10_000,
      what: `${COUNT} messages between the work queue and the dead-letter queue`,
    });
    const movedByFirst = await depth(queue);
    expect(movedByFirst).toBeGreaterThanOrEqual(COUNT / 2 - 100);
    expect(movedByFirst).toBeLessThan(COUNT);

    const second = await retryKit(broker, ['dead', 'replay', '--queue', queue]);
    expect(second.code).toBe(0);
    expect(second.output.at(-1)).toBe(
      `Replayed ${COUNT - movedByFirst} dead letters from ${queue}.dead: ${COUNT - movedByFirst} to ${queue}.`,
    );
    expect(await depth(`${queue}.dead`)).toBe(0);

    const seen = new Map<string, number>();
    await new Promise<void>((resolve) => {
      void channel.consume(
        queue,
        (message) => {
          if (!message) return;
          const id = String(message.properties.messageId);
          seen.set(id, (seen.get(id) ?? 0) + 1);
          if ([...seen.values()].reduce((a, b) => a + b, 0) === COUNT) resolve();
        },
        { noAck: true },
      );
    });
    expect(seen.size).toBe(COUNT);
    expect([...seen.values()].every((times) => times === 1)).toBe(true);
    expect(await depth(queue)).toBe(0);
    await connection.close();
  }, 120_000);
});
