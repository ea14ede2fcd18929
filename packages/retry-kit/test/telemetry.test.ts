import { readFileSync } from 'node:fs';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { useTestVhost } from 'test-broker/vitest';
import { afterAll, describe, expect, it } from 'vitest';
import { type DeadLetteredEvent, PermanentError, type RabbitClient } from '../src/index.js';
import { openTelemetry } from '../telemetry/open-telemetry.js';
import { registerContext, type TestSdk, testSdk } from './fixtures/telemetry-sdk.js';
import { connectTo, deferred } from './helpers.js';

const broker = await useTestVhost('telemetry');
afterAll(registerContext());

const DELAYS = [20, 40];

async function setup(attempts = 5): Promise<{ rabbit: RabbitClient; queue: string; sdk: TestSdk }> {
  const sdk = testSdk();
  afterAll(() => sdk.shutdown());
  const telemetry = openTelemetry({ tracerProvider: sdk.tracerProvider, meterProvider: sdk.meterProvider });
  const rabbit = await connectTo(broker, {
    telemetry,
    retry: { attempts, backoff: { type: 'fixed', delays: DELAYS } },
    delays: { prefix: broker.name('delays') },
  });
  const queue = broker.name('work');
  await rabbit.declare({ queues: [{ name: queue }] });
  return { rabbit, queue, sdk };
}

const parentOf = (span: ReadableSpan | undefined) => span?.parentSpanContext?.spanId;
const idOf = (span: ReadableSpan | undefined) => span?.spanContext().spanId;
// The SDK stamps a span's start with Date.now(), so a child can start in the
// same millisecond as its parent: on a tie, the parent comes first.
const byStart = (a: ReadableSpan, b: ReadableSpan) =>
  a.startTime[0] - b.startTime[0] ||
  a.startTime[1] - b.startTime[1] ||
  (parentOf(b) === idOf(a) ? -1 : parentOf(a) === idOf(b) ? 1 : 0);
const traceOf = (sdk: TestSdk, span: ReadableSpan | undefined) =>
  sdk
    .spans()
    .filter((candidate) => candidate.spanContext().traceId === span?.spanContext().traceId)
    .sort(byStart);
const isAttempt = (messageId: string) => (span: ReadableSpan) =>
  span.kind === SpanKind.CONSUMER && span.attributes['messaging.message.id'] === messageId;

describe('openTelemetry()', () => {
  it('a message that fails twice, then succeeds, is one trace: its publish, then three attempts in order, each failed one with a retry publish inside', async () => {
    const { rabbit, queue, sdk } = await setup();
    await rabbit.consume(queue, (_payload, delivery) => {
      if (delivery.attempts < 2) throw new Error(`down ${delivery.attempts + 1}`);
    });
    await rabbit.sendToQueue(queue, { text: 'hello' }, { messageId: 'flaky' });
    await sdk.spansEnded(isAttempt('flaky'), 3);

    const [publish, ...rest] = traceOf(
      sdk,
      sdk.spans().find((span) => span.attributes['retry_kit.publish.kind'] === 'publish'),
    );
    expect(publish?.name).toBe(`publish ${queue}`);
    expect(publish?.parentSpanContext).toBeUndefined();
    expect(publish?.attributes).toMatchObject({
      'messaging.system': 'rabbitmq',
      'messaging.operation.type': 'send',
      'messaging.operation.name': 'publish',
      'messaging.destination.name': queue,
      'messaging.rabbitmq.destination.routing_key': queue,
      'messaging.message.id': 'flaky',
      'messaging.message.body.size': Buffer.byteLength('{"text":"hello"}'),
      'retry_kit.publish.kind': 'publish',
    });

    // In start order: attempt 1, its retry, attempt 2, its retry, attempt 3.
    expect(rest.map((span) => [span.kind, span.attributes['retry_kit.attempt']])).toEqual([
      [SpanKind.CONSUMER, 1],
      [SpanKind.PRODUCER, 1],
      [SpanKind.CONSUMER, 2],
      [SpanKind.PRODUCER, 2],
      [SpanKind.CONSUMER, 3],
    ]);
    const attempts = rest.filter((span) => span.kind === SpanKind.CONSUMER);
    const retries = rest.filter((span) => span.kind === SpanKind.PRODUCER);
    for (const attempt of attempts) {
      expect(attempt.name).toBe(`process ${queue}`);
      expect(parentOf(attempt)).toBe(idOf(publish));
      expect(attempt.attributes).toMatchObject({
        'messaging.system': 'rabbitmq',
        'messaging.operation.type': 'process',
        'messaging.operation.name': 'process',
        'messaging.message.id': 'flaky',
        'retry_kit.queue': queue,
      });
    }
    expect(attempts.map((span) => span.status.code)).toEqual([
      SpanStatusCode.ERROR,
      SpanStatusCode.ERROR,
      SpanStatusCode.UNSET,
    ]);
    expect(attempts.map((span) => span.status.message)).toEqual(['Error: down 1', 'Error: down 2', undefined]);
    expect(attempts.map((span) => span.attributes['retry_kit.outcome'])).toEqual(['retried', 'retried', 'acked']);
    expect(attempts.map((span) => span.attributes['error.type'])).toEqual(['Error', 'Error', undefined]);

    for (const [i, retry] of retries.entries()) {
      expect(parentOf(retry)).toBe(idOf(attempts[i]));
      expect(retry.attributes).toMatchObject({
        'retry_kit.publish.kind': 'retry',
        'retry_kit.publish.queue': queue,
        'retry_kit.delay_ms': DELAYS[i],
      });
    }
    // Nothing of the message's outside its trace.
    expect(sdk.spans().filter((span) => span.attributes['messaging.message.id'] === 'flaky')).toHaveLength(6);
  });

  it("a dead-lettered message's last span is its dead-letter publish, inside the last attempt, with the reason", async () => {
    const { rabbit, queue, sdk } = await setup(2);
    const dead = deferred<DeadLetteredEvent>();
    rabbit.on('dead-lettered', (event) => dead.resolve(event));
    await rabbit.consume(queue, () => {
      throw new Error('never');
    });
    await rabbit.sendToQueue(queue, { text: 'doomed' }, { messageId: 'doomed' });
    expect((await dead.promise).reason).toBe('exhausted');
    await sdk.spansEnded(isAttempt('doomed'), 2);

    const trace = traceOf(sdk, sdk.spans().find(isAttempt('doomed')));
    expect(trace.map((span) => span.attributes['retry_kit.publish.kind'] ?? span.name)).toEqual([
      'publish',
      `process ${queue}`,
      'retry',
      `process ${queue}`,
      'dead-letter',
    ]);
    const last = trace.at(-1);
    const lastAttempt = trace.at(-2);
    expect(last?.name).toBe(`publish ${queue}.dead`);
    expect(parentOf(last)).toBe(idOf(lastAttempt));
    expect(last?.attributes).toMatchObject({
      'messaging.destination.name': `${queue}.dead`,
      'retry_kit.dead_letter.reason': 'exhausted',
      'retry_kit.attempt': 2,
    });
    expect(lastAttempt?.attributes['retry_kit.outcome']).toBe('dead-lettered');
    expect(lastAttempt?.status).toEqual({ code: SpanStatusCode.ERROR, message: 'Error: never' });
  });

  it('a delayed message starts its trace with a delayed publish; what its handler returns goes on as a chain publish inside the attempt, and the next queue handles it in the same trace', async () => {
    const { rabbit, queue, sdk } = await setup();
    const next = broker.name('next');
    await rabbit.declare({ queues: [{ name: next }] });
    await rabbit.consume<{ text: string }>(queue, ({ text }) => text.toUpperCase(), { next });
    await rabbit.consume(next, () => {});
    await rabbit.sendToQueue(queue, { text: 'later' }, { messageId: 'later', delay: 30 });
    // The next queue's attempt can end before the first attempt and its chain publish: wait for all three.
    await sdk.spansEnded(isAttempt('later'), 1);
    await sdk.spansEnded((span) => span.attributes['retry_kit.publish.kind'] === 'chain', 1);
    await sdk.spansEnded((span) => span.kind === SpanKind.CONSUMER && span.attributes['retry_kit.queue'] === next, 1);

    const delayed = sdk.spans().find((span) => span.attributes['retry_kit.publish.kind'] === 'delayed');
    const trace = traceOf(sdk, delayed);
    expect(trace.map((span) => span.attributes['retry_kit.publish.kind'] ?? span.name)).toEqual([
      'delayed',
      `process ${queue}`,
      'chain',
      `process ${next}`,
    ]);
    const [, attempt, chain, nextAttempt] = trace;
    expect(delayed?.parentSpanContext).toBeUndefined();
    expect(delayed?.attributes).toMatchObject({
      'messaging.message.id': 'later',
      'retry_kit.publish.queue': queue,
      'retry_kit.delay_ms': 30,
    });
    expect(parentOf(attempt)).toBe(idOf(delayed));
    expect(attempt?.attributes['retry_kit.outcome']).toBe('acked');
    expect(parentOf(chain)).toBe(idOf(attempt));
    expect(chain?.attributes).toMatchObject({ 'retry_kit.publish.queue': next });
    // The chained message is a new message: its own context, from the chain publish.
    expect(parentOf(nextAttempt)).toBe(idOf(chain));
    expect(nextAttempt?.attributes['retry_kit.queue']).toBe(next);
  });

  it('counts what happened: attempts by outcome, retries, dead letters by reason, handler and publish durations', async () => {
    const { rabbit, queue, sdk } = await setup(3);
    const done = deferred();
    let finished = 0;
    const finish = () => {
      if (++finished === 4) done.resolve();
    };
    rabbit.on('dead-lettered', finish);
    await rabbit.consume<{ plan: string }>(queue, ({ plan }, delivery) => {
      if (plan === 'declined') throw new PermanentError('card declined');
      if (plan === 'doomed' || (plan === 'flaky' && delivery.attempts < 2)) throw new Error(plan);
      finish();
    });
    for (const plan of ['ok', 'flaky', 'doomed', 'declined']) {
      await rabbit.sendToQueue(queue, { plan }, { messageId: plan });
    }
    await done.promise;
    // ok 1 + flaky 3 + doomed 3 + declined 1 attempts.
    await sdk.spansEnded((span) => span.kind === SpanKind.CONSUMER, 8);

    const sum = (points: { value: number; attributes: Record<string, unknown> }[], match: Record<string, unknown>) =>
      points
        .filter((point) => Object.entries(match).every(([key, value]) => point.attributes[key] === value))
        .reduce((total, point) => total + point.value, 0);
    const handled = await sdk.points('retry_kit.messages.handled');
    expect(sum(handled, { 'retry_kit.queue': queue, 'retry_kit.outcome': 'acked' })).toBe(2);
    expect(sum(handled, { 'retry_kit.queue': queue, 'retry_kit.outcome': 'retried' })).toBe(4);
    expect(sum(handled, { 'retry_kit.queue': queue, 'retry_kit.outcome': 'dead-lettered' })).toBe(2);
    expect(sum(handled, {})).toBe(8);

    expect(sum(await sdk.points('retry_kit.retries.scheduled'), { 'retry_kit.queue': queue })).toBe(4);
    const deadLetters = await sdk.points('retry_kit.dead_letters');
    expect(
      deadLetters
        .map((point) => [
          point.attributes['retry_kit.queue'],
          point.attributes['retry_kit.dead_letter.reason'],
          point.value,
        ])
        .sort(),
    ).toEqual([
      [queue, 'exhausted', 1],
      [queue, 'permanent', 1],
    ]);

    expect(sum(await sdk.points('retry_kit.handler.duration'), { 'retry_kit.queue': queue })).toBe(8);
    const published = await sdk.points('messaging.client.operation.duration');
    expect(sum(published, { 'retry_kit.publish.kind': 'publish' })).toBe(4);
    expect(sum(published, { 'retry_kit.publish.kind': 'retry' })).toBe(4);
    expect(sum(published, { 'retry_kit.publish.kind': 'dead-letter' })).toBe(2);
    expect(sum(published, { 'error.type': 'Error' })).toBe(0);
  });
});

describe('the README', () => {
  it('lists exactly the options openTelemetry() takes', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const source = readFileSync(new URL('../telemetry/open-telemetry.ts', import.meta.url), 'utf8');
    const rows = readme.slice(readme.indexOf('| `openTelemetry` option')).split('\n');
    const listed = rows
      .slice(
        2,
        rows.findIndex((row) => !row.startsWith('|')),
      )
      .map((row) => /^\| `(\w+)`/.exec(row)?.[1]);
    const body = /export interface OpenTelemetryOptions \{\n([\s\S]*?)\n\}/.exec(source)?.[1] ?? '';
    const declared = [...body.matchAll(/^ {2}(\w+)\??:/gm)].map((match) => match[1]);
    expect(declared.length).toBeGreaterThan(0);
    expect(listed.sort()).toEqual(declared.sort());
  });
});
