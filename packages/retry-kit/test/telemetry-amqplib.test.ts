import { runProgram } from 'test-broker';
import { useTestVhost } from 'test-broker/vitest';
import { beforeAll, describe, expect, it } from 'vitest';

const broker = await useTestVhost('telemetry-amqplib');

/** A span as the fixture program prints it. */
interface Printed {
  scope: string;
  name: string;
  kind: string;
  traceId: string;
  spanId: string;
  parentId?: string;
  links: string[];
  start: number;
  messageId?: string;
  attempt?: number;
  publishKind?: string;
}

const KIT = 'retry-kit';
const AMQPLIB = '@opentelemetry/instrumentation-amqplib';

describe('beside @opentelemetry/instrumentation-amqplib', () => {
  // Its own process: the instrumentation must patch amqplib before anything loads it.
  let spans: Printed[] = [];
  beforeAll(async () => {
    const program = runProgram(new URL('./fixtures/telemetry-amqplib-program.ts', import.meta.url), [], {
      AMQP_URL: broker.amqpUrl,
    });
    expect(await program.exit(), program.output.join('\n')).toEqual({ code: 0, signal: null });
    spans = program.output.filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Printed);
  });
  const of = (messageId: string, scope?: string, kind?: string) =>
    spans
      .filter((span) => span.messageId === messageId)
      .filter((span) => scope === undefined || span.scope === scope)
      .filter((span) => kind === undefined || span.kind === kind)
      .sort((a, b) => a.start - b.start);
  const attemptsOf = (messageId: string) => of(messageId, KIT, 'CONSUMER');

  it('the kit still makes one span per attempt, and the instrumentation adds a span per AMQP publish and delivery', () => {
    for (const messageId of ['plain', 'in-request', 'doomed']) {
      expect(
        attemptsOf(messageId).map((span) => span.attempt),
        messageId,
      ).toEqual([1, 2, 3]);
      expect(of(messageId, AMQPLIB, 'CONSUMER'), messageId).toHaveLength(3);
      // The first publish and two retries; the doomed one's dead letter too.
      expect(of(messageId, AMQPLIB, 'PRODUCER'), messageId).toHaveLength(messageId === 'doomed' ? 4 : 3);
      expect(of(messageId, KIT, 'PRODUCER'), messageId).toHaveLength(messageId === 'doomed' ? 4 : 3);
    }
  });

  it('a message sent inside an application span is one trace, every span of both included', () => {
    const request = spans.find((span) => span.name === 'POST /orders');
    expect(new Set(of('in-request').map((span) => span.traceId))).toEqual(new Set([request?.traceId]));
    // The kit's publish span is the request's child, the instrumentation's is the kit's.
    const [kitPublish] = of('in-request', KIT, 'PRODUCER');
    expect(kitPublish?.parentId).toBe(request?.spanId);
    expect(of('in-request', AMQPLIB, 'PRODUCER')[0]?.parentId).toBe(kitPublish?.spanId);
  });

  it('a message sent with no span active is one trace too: the kit’s publish span is its root', () => {
    const kitPublish = of('plain', KIT).find((span) => span.publishKind === 'publish');
    const [amqplibPublish] = of('plain', AMQPLIB, 'PRODUCER');
    expect(kitPublish?.publishKind).toBe('publish');
    expect(kitPublish?.parentId).toBeUndefined();
    expect(amqplibPublish?.parentId).toBe(kitPublish?.spanId);
    expect(new Set(of('plain').map((span) => span.traceId))).toEqual(new Set([kitPublish?.traceId]));
    expect(attemptsOf('plain')[0]?.parentId).toBe(amqplibPublish?.spanId);
  });

  it("the attempts nest instead of being siblings: the instrumentation writes its own publish span over each retry's traceparent, under the kit's retry span inside the attempt before", () => {
    for (const messageId of ['plain', 'in-request', 'doomed']) {
      const attempts = attemptsOf(messageId);
      for (const [i, attempt] of attempts.slice(1).entries()) {
        const parent = spans.find((span) => span.spanId === attempt.parentId);
        expect(parent?.scope, messageId).toBe(AMQPLIB);
        expect(parent?.kind, messageId).toBe('PRODUCER');
        const kitRetry = spans.find((span) => span.spanId === parent?.parentId);
        expect(kitRetry, messageId).toMatchObject({ scope: KIT, kind: 'PRODUCER', publishKind: 'retry' });
        expect(kitRetry?.parentId, messageId).toBe(attempts[i]?.spanId);
      }
    }
  });

  it("each attempt span links to the instrumentation's process span of the same delivery, its sibling", () => {
    for (const messageId of ['plain', 'in-request', 'doomed']) {
      const deliveries = of(messageId, AMQPLIB, 'CONSUMER');
      for (const [i, attempt] of attemptsOf(messageId).entries()) {
        expect(attempt.links, messageId).toEqual([deliveries[i]?.spanId]);
        expect(attempt.parentId, messageId).toBe(deliveries[i]?.parentId);
      }
    }
  });
});
