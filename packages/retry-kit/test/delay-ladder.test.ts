import { describe, expect, it } from 'vitest';
import { DelayLadder } from '../src/delays/delay-ladder.js';
import { merge as mergeTopology } from '../src/delays/delay-topology.js';
import type { BindingSpec } from '../src/topology.js';

/**
 * Follows a delayed message through the ladder the way RabbitMQ routes it:
 * each queue holds it for its TTL, then dead-letters it, keeping its routing
 * keys (the first queue's name and the CC keys), to its exchange, which sends
 * it on along every binding whose key is one of them. Ends at the first queue
 * that is not the ladder's: the message's destination.
 */
function travel(
  ladder: DelayLadder,
  route: { exchange: string; routingKey: string; cc?: string[] },
  workQueues = ['orders'],
) {
  const topology = mergeTopology(ladder.shared(), ...workQueues.map((queue) => ladder.returnTo(queue)));
  const keys = new Set([route.routingKey, ...(route.cc ?? [])]);
  const queues = new Map((topology.queues ?? []).map((queue) => [queue.name, queue]));
  /** The one way on from an exchange: two would duplicate the message, none would park it. */
  const onFrom = (exchange: string): BindingSpec => {
    const next = (topology.bindings ?? []).filter(
      (binding) => binding.source === exchange && keys.has(binding.routingKey ?? ''),
    );
    expect(next).toHaveLength(1);
    return next[0] as BindingSpec;
  };
  const visited: string[] = [];
  let waited = 0;
  let binding: BindingSpec = route.exchange === '' ? { source: '', queue: route.routingKey } : onFrom(route.exchange);
  for (;;) {
    if (!('queue' in binding)) {
      binding = onFrom(binding.exchange);
      continue;
    }
    const queue = queues.get(binding.queue);
    if (!queue) return { visited, waited, arrived: binding.queue };
    visited.push(queue.name);
    waited += queue.messageTtl ?? 0;
    binding = onFrom(queue.deadLetterExchange ?? '');
  }
}

describe('the delay ladder', () => {
  it('by default counts in base 16 with 7 levels: 105 queues, delays up to 31 days at 10 ms', () => {
    const ladder = new DelayLadder();
    expect(ladder.queueCount).toBe(105);
    expect(ladder.shared().queues?.filter((queue) => queue.name.includes('.level.'))).toHaveLength(105);
    expect(ladder.maxDelay).toBe((2 ** 28 - 1) * 10);
  });

  it('visits one queue per non-zero digit, highest first, and waits exactly the delay', async () => {
    const ladder = new DelayLadder();
    const route = await ladder.route(1_300, 'orders');
    // 130 steps = 0x82: 8 × 16 steps, then 2.
    expect(route).toEqual({
      exchange: '',
      routingKey: 'retry-kit.level.1.8',
      cc: ['retry-kit:1>0.2', 'retry-kit:0>out', 'retry-kit:out>orders'],
    });
    expect(travel(ladder, route)).toEqual({
      visited: ['retry-kit.level.1.8', 'retry-kit.level.0.2'],
      waited: 1_300,
      arrived: 'orders',
    });
  });

  it.each([2, 3, 10, 16, 32])(
    'at radix %i, takes every delay home after waiting it, rounded to the resolution and capped at the longest',
    async (radix) => {
      const ladder = new DelayLadder({ radix, resolution: 10, levels: 4 });
      // Every delay up to 2 s, then 500 spread up to the longest.
      const short = Array.from({ length: 201 }, (_, i) => i * 10 + (i % 7));
      const spread = Array.from({ length: 501 }, (_, i) => Math.round((i * ladder.maxDelay) / 500));
      for (const delay of [...short, ...spread]) {
        const trip = travel(ladder, await ladder.route(delay, 'orders'));
        expect(trip.waited).toBe(Math.min(Math.round(delay / 10) * 10, ladder.maxDelay));
        expect(trip.arrived).toBe('orders');
      }
    },
  );

  it('at radix 2 keeps the binary ladder: one queue per level, named by level', async () => {
    const ladder = new DelayLadder({ radix: 2 });
    expect(ladder.queueCount).toBe(28);
    expect(await ladder.route(130, 'orders')).toEqual({
      exchange: '',
      routingKey: 'retry-kit.level.3',
      cc: ['retry-kit:3>2', 'retry-kit:2>0', 'retry-kit:0>out', 'retry-kit:out>orders'],
    });
  });

  it('sends a delay shorter than half a step straight home, and caps one past the top', async () => {
    const ladder = new DelayLadder({ levels: 2 });
    const now = await ladder.route(4, 'orders');
    expect(now).toEqual({ exchange: 'retry-kit.ladder-out', routingKey: 'retry-kit:out>orders' });
    expect(travel(ladder, now)).toEqual({ visited: [], waited: 0, arrived: 'orders' });
    const capped = travel(ladder, await ladder.route(ladder.maxDelay + 60_000, 'orders'));
    expect(capped.waited).toBe(ladder.maxDelay);
  });

  it('takes each message to its own queue when many share the ladder', async () => {
    const ladder = new DelayLadder();
    const topology = mergeTopology(ladder.returnTo('orders'), ladder.returnTo('payments'));
    expect(topology.bindings).toEqual([
      { source: 'retry-kit.ladder-out', queue: 'orders', routingKey: 'retry-kit:out>orders' },
      { source: 'retry-kit.ladder-out', queue: 'payments', routingKey: 'retry-kit:out>payments' },
    ]);
    for (const queue of ['orders', 'payments'])
      expect(travel(ladder, await ladder.route(1_300, queue), ['orders', 'payments'])).toMatchObject({
        arrived: queue,
      });
  });

  it('refuses a queue name too long for its key out of the ladder, saying which', () => {
    const long = 'q'.repeat(250);
    expect(() => new DelayLadder().returnTo(long)).toThrow(
      `the ladder cannot return to a queue named ${long}: its routing key retry-kit:out>${long} is over 255 bytes`,
    );
  });

  it('refuses a radix or levels RabbitMQ could not hold', () => {
    expect(() => new DelayLadder({ radix: 1 })).toThrow('radix must be a whole number from 2 to 64, not 1');
    // 15 × 16^7 × 10 ms is past the largest TTL, 2^32-1 ms.
    expect(() => new DelayLadder({ levels: 8 })).toThrow(/levels must be a whole number from 1 up to/);
    expect(new DelayLadder({ levels: 7 }).queueCount).toBe(105);
  });
});
