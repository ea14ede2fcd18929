import { runProgram } from 'test-broker';
import { useTestVhost } from 'test-broker/vitest';
import { describe, expect, it } from 'vitest';
import { HEADERS } from '../src/tooling.js';
import { retryKit } from './cli-run.js';
import { connectTo, deferred, takeOne } from './helpers.js';

const broker = await useTestVhost('crash-loop');
const rabbit = await connectTo(broker);
const WORKER = new URL('./fixtures/crash-loop-worker.ts', import.meta.url);
const GOOD = 100;
const MAX_REDELIVERIES = 3;

describe.each(['classic', 'quorum'] as const)('a message that crashes its worker, on a %s queue', (type) => {
  it(`is dead-lettered as crash-loop after ${MAX_REDELIVERIES + 1} deliveries while ${GOOD} others are handled, and dead replay puts it back`, async () => {
    const queue = broker.name(`crash-${type}`);
    const done = broker.name(`crash-${type}-done`);
    await rabbit.declare({ queues: [{ name: queue, type }, { name: done }] });
    await rabbit.sendToQueue(queue, { n: 0, crash: true });
    for (let n = 1; n <= GOOD; n++) await rabbit.sendToQueue(queue, { n });

    const handled = new Set<number>();
    const allHandled = deferred();
    await rabbit.consume<number>(done, (n) => {
      handled.add(n);
      if (handled.size === GOOD) allHandled.resolve();
    });

    // The supervisor: start the worker again each time it dies, until all is done.
    let crashes = 0;
    for (;;) {
      const worker = runProgram(WORKER, [], {
        AMQP_URL: broker.amqpUrl,
        QUEUE: queue,
        DONE_QUEUE: done,
        MAX_REDELIVERIES: String(MAX_REDELIVERIES),
      });
      const finished = Promise.all([allHandled.promise, worker.line('dead-lettered crash-loop')]);
      const ended = await Promise.race([
        worker.exit().then(() => 'died' as const),
        finished.then(() => 'done' as const),
      ]);
      crashes += worker.output.filter((line) => line === 'crashing').length;
      if (ended === 'died') continue;
      worker.child.kill('SIGTERM');
      await worker.exit();
      break;
    }
    expect(crashes).toBe(MAX_REDELIVERIES + 1);
    expect(handled.size).toBe(GOOD);

    const listed = JSON.parse((await retryKit(broker, ['dead', 'list', '--queue', queue, '--json'])).text);
    expect(listed.total).toBe(1);
    expect(listed.deadLetters[0]).toMatchObject({ reason: 'crash-loop', attempts: 0 });
    expect(listed.deadLetters[0].lastError).toContain(`maxRedeliveries (${MAX_REDELIVERIES})`);
    const replay = await retryKit(broker, ['dead', 'replay', '--queue', queue]);
    expect(replay).toMatchObject({ code: 0, text: `Replayed 1 dead letter from ${queue}.dead: 1 to ${queue}.` });
    const back = await takeOne(
      broker.amqpUrl,
      queue,
      type === 'quorum' ? { arguments: { 'x-queue-type': 'quorum' } } : { durable: true },
    );
    expect(JSON.parse(back.content.toString())).toEqual({ n: 0, crash: true });
    expect(back.properties.headers).not.toHaveProperty(HEADERS.redeliveries);
    expect(back.properties.headers).not.toHaveProperty('x-delivery-count');
  });
});
