import { useTestVhost } from 'test-broker/vitest';
import { describe, expect, it } from 'vitest';
import type { Topology } from '../src/index.js';
import { retryKit } from './cli-run.js';
import * as failing from './fixtures/cli-topology-handlers.js';
import { connectTo, deferred } from './helpers.js';

const broker = await useTestVhost('cli-topology');
const fixture = new URL('./fixtures/cli-topology-handlers.ts', import.meta.url).pathname;

describe('retry-kit topology', () => {
  it('prints exactly the queues and exchanges the kit declares when a message retries until dead', async () => {
    const queue = broker.name('jobs');
    const printed = await retryKit(broker, ['topology', '--queue', queue, '--handlers', fixture, '--json']);
    expect(printed.code).toBe(0);
    const topology = JSON.parse(printed.text) as Required<Topology>;

    const rabbit = await connectTo(broker);
    await rabbit.declare({ queues: [{ name: queue }] });
    const dead = deferred();
    rabbit.on('dead-lettered', () => dead.resolve());
    await rabbit.consume(queue, failing.handlers, { retry: failing.retry });
    await rabbit.sendToQueue(queue, { job: 1 });
    await dead.promise;

    const vhost = encodeURIComponent(broker.vhost);
    const queues = await broker.management.request<{ name: string }[]>('GET', `/queues/${vhost}`);
    const exchanges = await broker.management.request<{ name: string }[]>('GET', `/exchanges/${vhost}`);
    const names = (list: { name: string }[]) => list.map((item) => item.name).sort();
    expect(names(topology.queues)).toEqual(names(queues));
    expect(names(topology.exchanges)).toEqual(names(exchanges.filter((e) => e.name && !e.name.startsWith('amq.'))));
    expect(names(topology.queues)).toContain('retry-kit.delay.150');
  });

  it('prints a readable table by default, the ladder when asked', async () => {
    const printed = await retryKit(broker, ['topology', '--queue', 'payments', '--delays', 'ladder']);
    expect(printed.code).toBe(0);
    expect(printed.output).toContain('Queues (108)');
    expect(printed.output).toContain('payments              classic  the work queue (the worker declares it)');
    expect(
      printed.output.some((line) =>
        /^retry-kit\.level\.6\.15 +classic +dead-letter-exchange=retry-kit\.after\.6 message-ttl=2516582400$/.test(
          line,
        ),
      ),
    ).toBe(true);
  });
});
