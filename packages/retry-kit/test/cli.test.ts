import { pollUntil } from 'test-broker';
import { useTestVhost } from 'test-broker/vitest';
import { describe, expect, it } from 'vitest';
import { PermanentError } from '../src/index.js';
import { retryKit } from './cli-run.js';
import { connectTo, deferred } from './helpers.js';

const broker = await useTestVhost('cli');
const rabbit = await connectTo(broker);

/** A work queue whose consumer dead-letters `ids`: "declined-*" as permanent, the rest as exhausted. */
async function deadLetters(queue: string, ids: string[]) {
  await rabbit.declare({ queues: [{ name: queue }] });
  let dead = 0;
  const allDead = deferred();
  const count = ({ queue: from }: { queue: string }) => {
    if (from === queue && ++dead === ids.length) allDead.resolve();
  };
  rabbit.on('dead-lettered', count);
  const consumer = await rabbit.consume(
    queue,
    (_payload, delivery) => {
      if (delivery.messageId?.startsWith('declined')) throw new PermanentError('card declined');
      throw new Error('gateway timed out');
    },
    { retry: { attempts: 1 } },
  );
  for (const id of ids) await rabbit.sendToQueue(queue, { id }, { messageId: id, type: 'payment' });
  await allDead.promise;
  rabbit.off('dead-lettered', count);
  await consumer.cancel();
}

const json = (output: string[]) => JSON.parse(output.join('\n'));

describe('retry-kit dead', () => {
  it('list shows dead letters without taking them, in the same order each time', async () => {
    const queue = broker.name('list');
    await deadLetters(queue, ['pay-1', 'declined-2', 'pay-3']);

    const table = await retryKit(broker, ['dead', 'list', '--queue', queue]);
    expect(table.code).toBe(0);
    expect(table.output[0]).toMatch(/^ID +REASON +ATTEMPTS +AGE +LAST ERROR$/);
    expect(table.output.slice(1, 4).map((line) => line.split(/ {2,}/).slice(0, 3))).toEqual([
      ['pay-1', 'exhausted', '1'],
      ['declined-2', 'permanent', '1'],
      ['pay-3', 'exhausted', '1'],
    ]);
    expect(table.output[4]).toBe(`3 shown of 3; 3 dead letters in ${queue}.dead.`);

    const again = await retryKit(broker, ['dead', 'list', '--queue', queue, '--reason', 'exhausted', '--json']);
    expect(again.code).toBe(0);
    const listed = json(again.output);
    expect(listed).toMatchObject({ total: 3, matched: 2 });
    expect(listed.deadLetters.map((l: { id: string }) => l.id)).toEqual(['pay-1', 'pay-3']);
    expect(listed.deadLetters[0]).toMatchObject({
      reason: 'exhausted',
      attempts: 1,
      lastError: 'Error: gateway timed out',
    });
  });

  it('replay moves the chosen dead letters back, attempts reset and replays counted; --dry-run moves none', async () => {
    const queue = broker.name('replay');
    await deadLetters(queue, ['pay-1', 'declined-2', 'pay-3']);

    const dry = await retryKit(broker, ['dead', 'replay', '--queue', queue, '--reason', 'exhausted', '--dry-run']);
    expect(dry).toMatchObject({ code: 0, text: `Would replay 2 dead letters from ${queue}.dead: 2 to ${queue}.` });
    expect(json((await retryKit(broker, ['dead', 'list', '--queue', queue, '--json'])).output).total).toBe(3);

    const replay = await retryKit(broker, ['dead', 'replay', '--queue', queue, '--reason', 'exhausted']);
    expect(replay).toMatchObject({ code: 0, text: `Replayed 2 dead letters from ${queue}.dead: 2 to ${queue}.` });
    const back: { id: string; headers: Record<string, unknown> }[] = [];
    const both = deferred();
    const consumer = await rabbit.consume(queue, (payload: { id: string }, delivery) => {
      back.push({ id: payload.id, headers: delivery.headers });
      if (back.length === 2) both.resolve();
    });
    await both.promise;
    await consumer.cancel();
    expect(back.map((m) => m.id)).toEqual(['pay-1', 'pay-3']);
    expect(back[0]!.headers).toMatchObject({ 'x-retry-replays': 1 });
    expect(back[0]!.headers).not.toHaveProperty('x-retry-attempts');
    expect(back[0]!.headers).not.toHaveProperty('x-dead-letter-reason');
    const left = json((await retryKit(broker, ['dead', 'list', '--queue', queue, '--json'])).output);
    expect(left.deadLetters.map((l: { id: string }) => l.id)).toEqual(['declined-2']);
  });

  it('replay leaves dead letters whose queue is gone, and says so (exit 1)', async () => {
    const queue = broker.name('gone');
    await deadLetters(queue, ['pay-1']);
    await broker.management.request('DELETE', `/queues/${encodeURIComponent(broker.vhost)}/${queue}`);
    // One more, from a queue that still exists, sharing the dead-letter queue.
    const other = broker.name('other');
    await rabbit.declare({ queues: [{ name: other }] });
    await rabbit.sendToQueue(
      `${queue}.dead`,
      { id: 'pay-2' },
      { messageId: 'pay-2', headers: { 'retry-queue': other } },
    );

    const replay = await retryKit(broker, ['dead', 'replay', '--queue', queue]);
    expect(replay.code).toBe(1);
    expect(replay.output).toContain(`Replayed 1 dead letter from ${queue}.dead: 1 to ${other}.`);
    expect(replay.output).toContain(
      `Queue "${queue}" does not exist: its dead letters stay in ${queue}.dead. Declare it (start its consumer), then replay again.`,
    );
    expect(json((await retryKit(broker, ['dead', 'list', '--queue', queue, '--json'])).output).total).toBe(1);
  });

  it('purge says how many and deletes nothing without --yes (exit 2); with it, deletes only the reason given', async () => {
    const queue = broker.name('purge');
    await deadLetters(queue, ['pay-1', 'declined-2', 'declined-3']);

    const asked = await retryKit(broker, ['dead', 'purge', '--queue', queue, '--reason', 'permanent']);
    expect(asked).toMatchObject({
      code: 2,
      text: `2 dead letters in ${queue}.dead would be deleted. Add --yes to delete them.`,
    });
    const purged = await retryKit(broker, ['dead', 'purge', '--queue', queue, '--reason', 'permanent', '--yes']);
    expect(purged).toMatchObject({ code: 0, text: `Deleted 2 dead letters from ${queue}.dead.` });
    const left = json((await retryKit(broker, ['dead', 'list', '--queue', queue, '--json'])).output);
    expect(left.deadLetters.map((l: { id: string }) => l.id)).toEqual(['pay-1']);
  });
});

describe('retry-kit inspect', () => {
  it('counts ready messages, retries waiting by when they are due, and dead letters by reason', async () => {
    const queue = broker.name('inspect');
    await deadLetters(queue, ['pay-1', 'declined-2']);
    await rabbit.sendToQueue(queue, { id: 'ready-1' }, { messageId: 'ready-1' });
    await rabbit.sendToQueue(queue, { id: 'later-1' }, { messageId: 'later-1', delay: 20 * 60_000 });
    await rabbit.sendToQueue(queue, { id: 'soon-1' }, { messageId: 'soon-1', delay: 50_000 });

    // The management API lists queues and consumers from statistics it gathers every 500 ms here.
    await pollUntil(
      async () => {
        const queues = await broker.management.listQueues(broker.vhost);
        const listed = (name: string) => queues.find((q) => q.name === name);
        return (
          listed(queue)?.consumers === 0 && !!listed('retry-kit.delay.50000') && !!listed('retry-kit.delay.1200000')
        );
      },
      { timeoutMs: 10_000, what: 'the management API to list the delay queues' },
    );
    const report = await retryKit(broker, ['inspect', '--queue', queue, '--json']);
    expect(report.code).toBe(0);
    expect(json(report.output)).toEqual({
      queues: [
        {
          queue,
          ready: 1,
          unacked: 0,
          consumers: 0,
          waiting: { '< 1 min': 1, '< 1 h': 1 },
          dead: { exhausted: 1, permanent: 1 },
        },
      ],
    });
    const table = await retryKit(broker, ['inspect', '--queue', queue]);
    expect(table.output[1]?.split(/ {2,}/)).toEqual([
      queue,
      '1',
      '0',
      '0',
      '1 < 1 min, 1 < 1 h',
      'exhausted 1, permanent 1',
    ]);
  });

  it('reads the dead letters of a consumer that names its own dead-letter queue', async () => {
    const queue = broker.name('custom');
    const deadLetterQueue = broker.name('custom-failed');
    await rabbit.declare({ queues: [{ name: queue }] });
    const dead = deferred();
    rabbit.once('dead-lettered', () => dead.resolve());
    const consumer = await rabbit.consume(
      queue,
      () => {
        throw new PermanentError('card declined');
      },
      { deadLetterQueue },
    );
    await rabbit.sendToQueue(queue, { id: 'declined-1' }, { messageId: 'declined-1' });
    await dead.promise;
    await consumer.cancel();

    const args = ['--queue', queue, '--dead-letter-queue', deadLetterQueue, '--json'];
    const report = await retryKit(broker, ['inspect', ...args]);
    expect(report.code).toBe(0);
    expect(json(report.output).queues).toMatchObject([{ queue, dead: { permanent: 1 } }]);
    const listed = await retryKit(broker, ['dead', 'list', ...args]);
    expect(json(listed.output)).toMatchObject({ deadLetterQueue, total: 1, deadLetters: [{ id: 'declined-1' }] });
  });

  it('says in one line that a queue does not exist (exit 1)', async () => {
    const missing = broker.name('nosuch');
    const inspected = await retryKit(broker, ['inspect', '--queue', missing]);
    expect(inspected.code).toBe(1);
    expect(inspected.output).toHaveLength(1);
    expect(inspected.text).toMatch(new RegExp(`^No queue "${missing}" at amqp://`));
    for (const action of ['list', 'replay', 'purge']) {
      const dead = await retryKit(broker, ['dead', action, '--queue', missing, '--yes']);
      expect(dead.code, action).toBe(1);
      expect(dead.output, action).toHaveLength(1);
      expect(dead.text, action).toMatch(
        new RegExp(`^No queue "${missing}" and no dead-letter queue "${missing}.dead" at amqp://.*: check --queue\\.$`),
      );
    }
  });
});
