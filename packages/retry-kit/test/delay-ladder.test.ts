import { describe, expect, it } from 'vitest';
import { DelayLadder } from '../src/delays/delay-ladder.js';
import type { BindingSpec, Topology } from '../src/topology.js';

/**
 * Follows a delayed message through the ladder the way RabbitMQ routes it:
 * each queue holds it for its TTL, then dead-letters it, keeping its routing
 * keys (the first queue's name and the CC keys), to its exchange, which sends
 * it on along every binding whose key is one of them.
 */
function travel(topology: Topology, route: { exchange: string; routingKey: string; cc?: string[] }) {
  const keys = new Set([route.routingKey, ...(route.cc ?? [])]);
  const queues = new Map((topology.queues ?? []).map((queue) => [queue.name, queue]));
  const visited: string[] = [];
  let waited = 0;
  let queue = queues.get(route.routingKey);
  while (queue) {
    visited.push(queue.name);
    waited += queue.messageTtl ?? 0;
    const next: BindingSpec[] = (topology.bindings ?? []).filter(
      (binding) => binding.source === queue?.deadLetterExchange && keys.has(binding.routingKey ?? ''),
    );
    // One way on from every queue: two would duplicate the message, none would park it.
    expect(next).toHaveLength(1);
    const [binding] = next;
    if (!binding || !('queue' in binding)) return { visited, waited, home: binding?.exchange };
    queue = queues.get(binding.queue);
  }
  return { visited, waited, home: route.exchange };
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
    const route = await ladder.route(1_300);
    // 130 steps = 0x82: 8 × 16 steps, then 2.
    expect(route).toEqual({
      exchange: '',
      routingKey: 'retry-kit.level.1.8',
      cc: ['retry-kit:1>0.2', 'retry-kit:0>home'],
    });
    expect(travel(ladder.shared(), route)).toEqual({
      visited: ['retry-kit.level.1.8', 'retry-kit.level.0.2'],
      waited: 1_300,
      home: 'retry-kit.ladder-return',
    });
  });

  it.each([2, 3, 10, 16, 32])(
    'at radix %i, takes every delay home after waiting it, rounded to the resolution and capped at the longest',
    async (radix) => {
      const ladder = new DelayLadder({ radix, resolution: 10, levels: 4 });
      const topology = ladder.shared();
      // Every delay up to 2 s, then 500 spread up to the longest.
      const short = Array.from({ length: 201 }, (_, i) => i * 10 + (i % 7));
      const spread = Array.from({ length: 501 }, (_, i) => Math.round((i * ladder.maxDelay) / 500));
      for (const delay of [...short, ...spread]) {
        const trip = travel(topology, await ladder.route(delay));
        expect(trip.waited).toBe(Math.min(Math.round(delay / 10) * 10, ladder.maxDelay));
        expect(trip.home).toBe('retry-kit.ladder-return');
      }
    },
  );

  it('at radix 2 keeps the binary ladder: one queue per level, named by level', async () => {
    const ladder = new DelayLadder({ radix: 2 });
    expect(ladder.queueCount).toBe(28);
    expect(await ladder.route(130)).toEqual({
      exchange: '',
      routingKey: 'retry-kit.level.3',
      cc: ['retry-kit:3>2', 'retry-kit:2>0', 'retry-kit:0>home'],
    });
  });

  it('sends a delay shorter than half a step straight home, and caps one past the top', async () => {
    const ladder = new DelayLadder({ levels: 2 });
    expect(await ladder.route(4)).toEqual({ exchange: 'retry-kit.ladder-return', routingKey: '' });
    const capped = travel(ladder.shared(), await ladder.route(ladder.maxDelay + 60_000));
    expect(capped.waited).toBe(ladder.maxDelay);
  });

  it('refuses a radix or levels RabbitMQ could not hold', () => {
    expect(() => new DelayLadder({ radix: 1 })).toThrow('radix must be a whole number from 2 to 64, not 1');
    // 15 × 16^7 × 10 ms is past the largest TTL, 2^32-1 ms.
    expect(() => new DelayLadder({ levels: 8 })).toThrow(/levels must be a whole number from 1 up to/);
    expect(new DelayLadder({ levels: 7 }).queueCount).toBe(105);
  });
});
