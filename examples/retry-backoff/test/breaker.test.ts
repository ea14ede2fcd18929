import amqp from 'amqplib';
import { runProgram } from 'test-broker';
import { useTestVhost } from 'test-broker/vitest';
import { describe, expect, it } from 'vitest';
import { MESSAGES } from '../src/breaker-scenario.js';

const broker = await useTestVhost('retry-backoff-breaker');

/** Messages in `queue` now; 0 for a queue never declared (the kit declares a dead-letter queue on its first dead letter). */
async function messagesIn(queue: string): Promise<number> {
  const connection = await amqp.connect(broker.amqpUrl);
  try {
    const channel = await connection.createChannel();
    channel.on('error', () => {});
    return (await channel.checkQueue(queue)).messageCount;
  } catch (error) {
    if ((error as { code?: number }).code === 404) return 0;
    throw error;
  } finally {
    await connection.close().catch(() => {});
  }
}

describe('pnpm --filter retry-backoff breaker', () => {
  it('with the breaker, the outage spends fewer attempts and dead-letters no more texts than without, and neither run loses one', async () => {
    const program = runProgram(new URL('../src/breaker.ts', import.meta.url), [], { AMQP_URL: broker.amqpUrl });
    expect(await program.exit()).toEqual({ code: 0, signal: null });
    const runs = Object.fromEntries(
      program.output.flatMap((line) => {
        const row = /^ {2}(without a breaker|with the breaker)\s+(\d+)\s+(\d+)\s+(\d+)\s+(-?\d+)\s+\d+ ms$/.exec(line);
        if (!row) return [];
        const [attempts, deadLettered, translated, lost] = row.slice(2).map(Number);
        return [[row[1], { attempts, deadLettered, translated, lost }]];
      }),
    );
    const without = runs['without a breaker']!;
    const withBreaker = runs['with the breaker']!;

    // The outage outlasts the retry policy: without the breaker, texts are given up.
    expect(without.deadLettered).toBeGreaterThan(0);
    expect(withBreaker.attempts).toBeLessThan(without.attempts!);
    expect(withBreaker.deadLettered).toBeLessThanOrEqual(without.deadLettered!);
    for (const run of [without, withBreaker]) {
      expect(run.lost).toBe(0);
      expect(run.translated! + run.deadLettered!).toBe(MESSAGES);
    }
    // What the demo counted is what the broker holds.
    expect(await messagesIn('translations.no-breaker.dead')).toBe(without.deadLettered);
    expect(await messagesIn('translations.breaker.dead')).toBe(withBreaker.deadLettered);

    // The kit's own lines: the breaker opened, and closed again once a text went through.
    const breakerLines = program.output.filter((line) => line.includes('"translations.breaker": circuit breaker'));
    expect(breakerLines[0]).toMatch(/circuit breaker open: consuming paused/);
    expect(breakerLines.at(-2)).toMatch(/circuit breaker half-open/);
    expect(breakerLines.at(-1)).toMatch(/circuit breaker closed: consuming again/);
    expect(program.output.some((line) => line.includes('"translations.no-breaker": circuit breaker'))).toBe(false);
  }, 90_000);
});
