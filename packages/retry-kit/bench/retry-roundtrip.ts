// pnpm bench, retry round trip: messages that fail once and succeed on their
// retry 100 ms later, through the kit and through the same topology written
// by hand (raw); raw_minimal shows what the kit's shared, protected topology
// costs against the least a hand-written retry can do.
import amqp, { type Channel, type ConsumeMessage } from 'amqplib';
import { connect, silentLogger } from '../src/index.js';
import { type BenchBroker, median, runIfMain } from './broker.js';

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

async function kitRoundTrip(url: string, round: number): Promise<number> {
  const rabbit = await connect({ url, logger: silentLogger, retry: { backoff: { type: 'fixed', delays: [DELAY] } } });
  const queue = `kit-retry-${round}`;
  await rabbit.declare({ queues: [{ name: queue }] });
  let succeeded = 0;
  let resolve!: () => void;
  const all = new Promise<void>((r) => (resolve = r));
  await rabbit.consume(
    queue,
    (_payload, delivery) => {
      if (delivery.attempts === 0) throw new Error('first attempt fails');
      if (++succeeded === MESSAGES) resolve();
    },
    { prefetch: 100 },
  );
  const started = performance.now();
  await fillQueue(url, queue);
  await all;
  const rate = MESSAGES / ((performance.now() - started) / 1000);
  await rabbit.close();
  return rate;
}

interface RawTopology {
  /** Declares it, and returns where to publish a retry of a message from `queue`. */
  prepare(channel: Channel, queue: string, round: number): Promise<{ exchange: string; routingKey: string }>;
  headers(attempt: number, queue: string): Record<string, unknown>;
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
  headers: (attempt, queue) => {
    const now = Date.now();
    return {
      'x-retry-attempts': attempt,
      'x-retry-published-at': now,
      'x-retry-first-failure': now,
      'x-retry-last-failure': now,
      'x-retry-last-error': 'Error: first attempt fails',
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
async function rawRoundTrip(url: string, round: number, topology: RawTopology): Promise<number> {
  const connection = await amqp.connect(url);
  const consumeChannel = await connection.createChannel();
  const publishChannel = await connection.createConfirmChannel();
  const queue = `raw-retry-${round}-${topology === sameTopology ? 'same' : 'minimal'}`;
  await consumeChannel.assertQueue(queue, { durable: true });
  const retry = await topology.prepare(consumeChannel, queue, round);
  await consumeChannel.prefetch(100);
  let succeeded = 0;
  let resolve!: () => void;
  const all = new Promise<void>((r) => (resolve = r));
  await consumeChannel.consume(queue, (message: ConsumeMessage | null) => {
    if (!message) return;
    JSON.parse(message.content.toString());
    const attempts = Number(message.properties.headers?.['x-retry-attempts'] ?? 0);
    if (attempts === 0) {
      const headers = { ...message.properties.headers, ...topology.headers(1, queue) };
      const properties = { ...message.properties, headers, persistent: true, mandatory: true };
      publishChannel.publish(retry.exchange, retry.routingKey, message.content, properties, (error) => {
        if (error) consumeChannel.nack(message, false, true);
        else consumeChannel.ack(message);
      });
      return;
    }
    consumeChannel.ack(message);
    if (++succeeded === MESSAGES) resolve();
  });
  const started = performance.now();
  await fillQueue(url, queue);
  await all;
  const rate = MESSAGES / ((performance.now() - started) / 1000);
  await connection.close();
  return rate;
}

export async function retryRoundTrip(broker: BenchBroker): Promise<void> {
  const runs: [string, (round: number) => Promise<number>][] = [
    ['raw', (round) => rawRoundTrip(broker.url, round, sameTopology)],
    ['kit', (round) => kitRoundTrip(broker.url, round)],
    ['raw_minimal', (round) => rawRoundTrip(broker.url, round, minimalTopology)],
  ];
  const rates: Record<string, number[]> = {};
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, run] of round % 2 === 0 ? runs : [...runs].reverse()) {
      const rate = await run(round);
      rates[name] = [...(rates[name] ?? []), rate];
    }
  }
  const figure = (name: string) => Math.round(median(rates[name] ?? []));
  console.log(
    JSON.stringify({
      bench: 'retry-round-trip',
      messages: MESSAGES,
      rounds: ROUNDS,
      delay_ms: DELAY,
      kit_msgs_per_s: figure('kit'),
      raw_msgs_per_s: figure('raw'),
      ratio: Number((figure('kit') / figure('raw')).toFixed(3)),
      raw_minimal_msgs_per_s: figure('raw_minimal'),
    }),
  );
}

await runIfMain(import.meta.url, retryRoundTrip);
