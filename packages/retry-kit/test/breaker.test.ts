import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { useTestVhost } from 'test-broker/vitest';
import { describe, expect, it } from 'vitest';
import { type BreakerEvent, PermanentError } from '../src/index.js';
import { connectTo, deferred } from './helpers.js';

const broker = await useTestVhost('breaker');
const rabbit = await connectTo(broker);
const MESSAGES = 20;
const breaker = { failures: 3, coolDown: 100, maxCoolDown: 1_000 };
const retry = { attempts: 100, backoff: { type: 'fixed', delays: [50] } } as const;

/** The breaker events of `queue`, in order, and a promise for the nth. */
function breakerEvents(queue: string) {
  const seen: BreakerEvent[] = [];
  const waiting = new Map<number, () => void>();
  rabbit.on('breaker', (event) => {
    if (event.queue !== queue) return;
    seen.push(event);
    waiting.get(seen.length)?.();
  });
  const nth = (n: number) =>
    seen.length >= n ? Promise.resolve() : new Promise<void>((resolve) => waiting.set(n, resolve));
  return { seen, nth };
}

describe('a consumer with a circuit breaker', () => {
  it('pauses after failures in a row, lets one message through after a growing cool-down, and resumes when it succeeds: the backlog spends no attempts', async () => {
    const queue = broker.name('translations');
    await rabbit.declare({ queues: [{ name: queue }] });
    for (let n = 1; n <= MESSAGES; n++) await rabbit.sendToQueue(queue, { n });
    const events = breakerEvents(queue);
    let serviceUp = false;
    let failures = 0;
    const handled = new Set<number>();
    const allHandled = deferred();
    const consumer = await rabbit.consume<{ n: number }>(
      queue,
      ({ n }) => {
        if (!serviceUp) {
          failures++;
          throw new Error('translation service unavailable');
        }
        handled.add(n);
        if (handled.size === MESSAGES) allHandled.resolve();
      },
      { prefetch: 1, retry, breaker },
    );

    await events.nth(3); // open, half-open, open again: the trial failed
    expect(consumer.breakerState).toBe('open');
    serviceUp = true;
    await allHandled.promise;

    expect(events.seen).toEqual([
      { queue, state: 'open', coolDown: 100 },
      { queue, state: 'half-open' },
      { queue, state: 'open', coolDown: 200 },
      { queue, state: 'half-open' },
      { queue, state: 'closed' },
    ]);
    // Three failures open it, one failed trial: no other message spent an attempt.
    expect(failures).toBe(breaker.failures + 1);
    expect(consumer.breakerState).toBe('closed');
    await consumer.cancel();
  });

  it('does not count failures the policy would not retry', async () => {
    const queue = broker.name('permanent');
    await rabbit.declare({ queues: [{ name: queue }] });
    const events = breakerEvents(queue);
    let deadLettered = 0;
    const allDead = deferred();
    rabbit.on('dead-lettered', (event) => {
      if (event.queue === queue && ++deadLettered === MESSAGES) allDead.resolve();
    });
    const consumer = await rabbit.consume(
      queue,
      () => {
        throw new PermanentError('declined: card expired');
      },
      { prefetch: 1, retry, breaker },
    );
    for (let n = 1; n <= MESSAGES; n++) await rabbit.sendToQueue(queue, { n });
    await allDead.promise;

    expect(events.seen).toEqual([]);
    expect(consumer.breakerState).toBe('closed');
    await consumer.cancel();
  });
});

describe.skipIf(!broker.faults)('a circuit breaker across a lost connection', () => {
  it.each([
    ['while open', 'open'],
    ['while its trial message is in the handler', 'trial'],
  ] as const)(
    '%s: stays paused on the new connection, one trial at a time, and closes once the service is back',
    async (_when, lostAt) => {
      const client = await connectTo(broker);
      const queue = broker.name(`lost-${lostAt}`);
      await client.declare({ queues: [{ name: queue }] });
      for (let n = 1; n <= MESSAGES; n++) await client.sendToQueue(queue, { n });
      const events: BreakerEvent[] = [];
      const trials = () => events.filter((event) => event.state === 'half-open').length;
      const onEvent = new Set<() => void>();
      client.on('breaker', (event) => {
        if (event.queue !== queue) return;
        events.push(event);
        for (const check of onEvent) check();
      });
      const until = (condition: () => boolean) =>
        new Promise<void>((resolve) => {
          const check = () => condition() && resolve();
          onEvent.add(check);
          check();
        });
      let serviceUp = false;
      let failures = 0;
      let running = 0;
      let mostRunningWhilePaused = 0;
      const inTrial = deferred();
      const releaseTrial = deferred();
      const handled = new Set<number>();
      const allHandled = deferred();
      const consumer = await client.consume<{ n: number }>(
        queue,
        async ({ n }) => {
          running++;
          try {
            if (consumer.breakerState !== 'closed') mostRunningWhilePaused = Math.max(mostRunningWhilePaused, running);
            if (lostAt === 'trial' && consumer.breakerState === 'half-open' && !serviceUp) {
              inTrial.resolve();
              await releaseTrial.promise;
            }
            if (!serviceUp) {
              failures++;
              throw new Error('translation service unavailable');
            }
            handled.add(n);
            if (handled.size === MESSAGES) allHandled.resolve();
          } finally {
            running--;
          }
        },
        { prefetch: 1, retry, breaker },
      );

      if (lostAt === 'open') await until(() => events.some((event) => event.state === 'open'));
      else await inTrial.promise;
      const failuresBefore = failures;
      const trialsBefore = trials();
      const back = once(client, 'connected');
      await broker.faults?.closeAllConnections(broker.vhost);
      await back;
      if (lostAt === 'trial') {
        // Not an event to wait for but a window: a second trial started on the new channel would take its message within the longest cool-down.
        await sleep(breaker.maxCoolDown);
        releaseTrial.resolve();
      }
      // Two more trials on the new connection, both failed: the service is still down.
      await until(() => trials() >= trialsBefore + 2 && events.at(-1)?.state === 'open');
      // Only trials failed: the one in the handler when the connection went, and one per half-open since.
      expect(failures - failuresBefore).toBeLessThanOrEqual(trials() - trialsBefore + (lostAt === 'trial' ? 1 : 0));
      serviceUp = true;
      await allHandled.promise;

      expect(mostRunningWhilePaused).toBe(1);
      expect(events.at(-1)).toEqual({ queue, state: 'closed' });
      expect(consumer.breakerState).toBe('closed');
      await consumer.cancel();
    },
  );
});
