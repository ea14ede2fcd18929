// pnpm bench, retry round trip: messages that fail once and succeed on their
// retry 100 ms later, through the kit, through the same topology written by
// hand (raw) and through rascal's delayed-retry recipe; raw_minimal shows what
// the kit's shared, protected topology costs against the least a hand-written
// retry can do. Each side's queue is filled first, then timed from the start
// of consuming until every message has succeeded, so the CPU per message is
// the consumer's own.
import amqp, { type Channel, type ConsumeMessage } from 'amqplib';
import { connect, silentLogger } from '../src/index.js';
import { type BenchBroker, figures, type Measured, measure, ratios, runIfMain } from './broker.js';
import { firstAttemptFails } from './first-attempt-fails.js';
import { rascalRoundTrip } from './rascal.js';

const MESSAGES = Number(process.env.BENCH_RETRY_MESSAGES ?? 5_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 6);
const DELAY = 100;

async function fillQueue(url: string, queue: string): Promise<void> {
  const connection = await amqp.connect(url);
  const channel = await connection.createConfirmChannel();
  for (let n = 0; n < MESSAGES; n++) {
    channel.sendToQueue(queue, Buffer.from(JSON.stringify({ n })), {
      persistent: true,
      contentType: 'application/json',
    });
  }
  await channel.waitForConfirms();
  await connection.close();
}

async function kitRoundTrip(url: string, round: number): Promise<Measured> {
  const rabbit = await connect({ url, logger: silentLogger, retry: { backoff: { type: 'fixed', delays: [DELAY] } } });
  const queue = `kit-retry-${round}`;
  await rabbit.declare({ queues: [{ name: queue }] });
  await fillQueue(url, queue);
  const measured = await measure(MESSAGES, async () => {
    let succeeded = 0;
    await new Promise<void>((resolve) => {
      void rabbit.consume(
        queue,
        (_payload, delivery) => {
          firstAttemptFails(delivery.attempts);
          if (++succeeded === MESSAGES) resolve();
        },
        { prefetch: 100 },
      );
    });
  });
  await rabbit.close();
  return measured;
}

async function rascalRound(url: string, round: number): Promise<Measured> {
  const queue = `rascal-retry-${round}`;
  const rascal = await rascalRoundTrip(url, queue, DELAY);
  await fillQueue(url, queue);
  const measured = await measure(MESSAGES, () => rascal.consume(MESSAGES));
  await rascal.shutdown();
  return measured;
}

interface RawTopology {
  /** Declares it, and returns where to publish a retry of a message from `queue`. */
  prepare(channel: Channel, queue: string, round: number): Promise<{ exchange: string; routingKey: string }>;
  headers(attempt: number, queue: string, error: Error): Record<string, unknown>;
}

/**
 * The kit's topology, written by hand: a fanout exchange and queue per delay
 * shared by every work queue, a direct return exchange with an alternate
 * exchange, and the same headers the kit writes.
 */
const sameTopology: RawTopology = {
  async prepare(channel, queue, round) {
    const prefix = `raw-${round}`;
    await channel.assertExchange(`${prefix}.unroutable`, 'fanout', { durable: true });
    await channel.assertExchange(`${prefix}.return`, 'direct', {
      durable: true,
      alternateExchange: `${prefix}.unroutable`,
    });
    await channel.bindQueue(queue, `${prefix}.return`, queue);
    const delay = `${prefix}.delay.${DELAY}`;
    await channel.assertExchange(delay, 'fanout', { durable: true, autoDelete: true });
    await channel.assertQueue(delay, {
      durable: true,
      messageTtl: DELAY,
      expires: DELAY + 60_000,
      deadLetterExchange: `${prefix}.return`,
    });
    await channel.bindQueue(delay, delay, '');
    return { exchange: delay, routingKey: queue };
  },
  headers: (attempt, queue, error) => {
    const now = Date.now();
    return {
      'x-retry-attempts': attempt,
      'x-retry-published-at': now,
      'x-retry-first-failure': now,
      'x-retry-last-failure': now,
      'x-retry-last-error': `${error.name}: ${error.message}`,
      'retry-queue': queue,
    };
  },
};

/** The least a hand-written retry can do: one delay queue for this queue alone, straight back through the default exchange. */
const minimalTopology: RawTopology = {
  async prepare(channel, queue, round) {
    const delay = `raw-minimal-${round}.delay`;
    await channel.assertQueue(delay, {
      durable: true,
      messageTtl: DELAY,
      deadLetterExchange: '',
      deadLetterRoutingKey: queue,
    });
    return { exchange: '', routingKey: delay };
  },
  headers: (attempt) => ({ 'x-retry-attempts': attempt }),
};

/** The same by hand: ack the original once the broker has confirmed its retry. */
async function rawRoundTrip(url: string, round: number, topology: RawTopology): Promise<Measured> {
  const connection = await amqp.connect(url);
  const consumeChannel = await connection.createChannel();
  const publishChannel = await connection.createConfirmChannel();
  const queue = `raw-retry-${round}-${topology === sameTopology ? 'same' : 'minimal'}`;
  await consumeChannel.assertQueue(queue, { durable: true });
  const retry = await topology.prepare(consumeChannel, queue, round);
  await consumeChannel.prefetch(100);
  await fillQueue(url, queue);
  const measured = await measure(MESSAGES, async () => {
    let succeeded = 0;
    await new Promise<void>((resolve) => {
      void consumeChannel.consume(queue, (message: ConsumeMessage | null) => {
        if (!message) return;
        JSON.parse(message.content.toString());
        const attempts = Number(message.properties.headers?.['x-retry-attempts'] ?? 0);
        try {
          firstAttemptFails(attempts);
        } catch (error) {
          const headers = { ...message.properties.headers, ...topology.headers(attempts + 1, queue, error as Error) };
          const properties = { ...message.properties, headers, persistent: true, mandatory: true };
          publishChannel.publish(retry.exchange, retry.routingKey, message.content, properties, (failed) => {
            if (failed) consumeChannel.nack(message, false, true);
            else consumeChannel.ack(message);
          });
          return;
        }
        consumeChannel.ack(message);
        if (++succeeded === MESSAGES) resolve();
      });
    });
  });
  await connection.close();
  return measured;
}

export async function retryRoundTrip(broker: BenchBroker): Promise<void> {
  const runs: [string, (round: number) => Promise<Measured>][] = [
    ['raw', (round) => rawRoundTrip(broker.url, round, sameTopology)],
    ['kit', (round) => kitRoundTrip(broker.url, round)],
    ['rascal', (round) => rascalRound(broker.url, round)],
    ['raw_minimal', (round) => rawRoundTrip(broker.url, round, minimalTopology)],
  ];
  const measured: Record<string, Measured[]> = {};
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, run] of round % 2 === 0 ? runs : [...runs].reverse()) {
      measured[name] = [...(measured[name] ?? []), await run(round)];
    }
  }
  const figured = figures(measured, ['kit', 'raw', 'rascal', 'raw_minimal']);
  console.log(
    JSON.stringify({
      bench: 'retry-round-trip',
      messages: MESSAGES,
      rounds: ROUNDS,
      delay_ms: DELAY,
      ...figured,
      ...ratios(figured),
      kit_over_rascal: Number(((figured.kit_msgs_per_s ?? 0) / (figured.rascal_msgs_per_s ?? 1)).toFixed(3)),
    }),
  );
}

await runIfMain(import.meta.url, retryRoundTrip);
