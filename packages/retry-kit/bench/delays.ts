// pnpm bench, delays: lateness and throughput of both kit topologies and the
// topic-ladder baseline, on the same broker in the same run.
import amqp from 'amqplib';
import { ManagementClient } from 'test-broker';
import { connect, type DelayOptions, silentLogger } from '../src/index.js';
import { type BenchBroker, median, runIfMain } from './broker.js';
import { spreadDelay, summarise } from './lateness.js';
import { topicLadder } from './topic-ladder.js';

const STEADY_SECONDS = Number(process.env.BENCH_STEADY_SECONDS ?? 10);
const BURST = Number(process.env.BENCH_BURST ?? 10_000);
const BURST_ROUNDS = Number(process.env.BENCH_BURST_ROUNDS ?? 3);
const LEVELS = 16;
const RESOLUTION = 10;

interface Sender {
  send(n: number, delay: number): Promise<void>;
  arrivals: Map<number, number>;
  done(count: number): Promise<void>;
  close(): Promise<void>;
}

async function kitSender(url: string, delays: DelayOptions, queue: string): Promise<Sender> {
  const rabbit = await connect({ url, logger: silentLogger, delays });
  await rabbit.declare({ queues: [{ name: queue }] });
  const arrivals = new Map<number, number>();
  const waiters: { count: number; resolve: () => void }[] = [];
  await rabbit.consume<{ n: number; due: number }>(
    queue,
    ({ n, due }) => {
      arrivals.set(n, Date.now() - due);
      for (const waiter of waiters) if (arrivals.size >= waiter.count) waiter.resolve();
    },
    { prefetch: 200 },
  );
  // Warm up: the first delayed publish declares the topology; keep that out of the figures.
  await rabbit.sendToQueue(queue, { n: -1, due: Date.now() }, { delay: 20 });
  await new Promise<void>((resolve) => waiters.push({ count: 1, resolve }));
  arrivals.delete(-1);
  return {
    send: (n, delay) => rabbit.sendToQueue(queue, { n, due: Date.now() + delay }, { delay }),
    arrivals,
    done: (count) =>
      arrivals.size >= count ? Promise.resolve() : new Promise((resolve) => waiters.push({ count, resolve })),
    close: () => rabbit.close(),
  };
}

async function baselineSender(url: string, queue: string): Promise<Sender> {
  const connection = await amqp.connect(url);
  const channel = await connection.createChannel();
  await channel.assertQueue(queue, { durable: true });
  await channel.prefetch(200);
  const ladder = await topicLadder(url, queue, LEVELS, RESOLUTION);
  const arrivals = new Map<number, number>();
  const waiters: { count: number; resolve: () => void }[] = [];
  await channel.consume(queue, (message) => {
    if (!message) return;
    const { n, due } = JSON.parse(message.content.toString()) as { n: number; due: number };
    arrivals.set(n, Date.now() - due);
    channel.ack(message);
    for (const waiter of waiters) if (arrivals.size >= waiter.count) waiter.resolve();
  });
  return {
    async send(n, delay) {
      ladder.send({ n, due: Date.now() + delay }, delay);
      if (n % 100 === 99) await ladder.sent();
    },
    arrivals,
    done: (count) =>
      arrivals.size >= count ? Promise.resolve() : new Promise((resolve) => waiters.push({ count, resolve })),
    close: async () => {
      await ladder.sent();
      await ladder.close();
      await connection.close();
    },
  };
}

/** The delays a topology is meant for: a few fixed retry delays for one queue per delay, any delay for ladders. */
type DelayPicker = (n: number) => number;
const FIVE_DELAYS = [500, 1_000, 1_500, 2_000, 3_000];
const fiveDelays: DelayPicker = (n) => FIVE_DELAYS[n % FIVE_DELAYS.length] ?? 1_000;
const anyDelay: DelayPicker = (n) => spreadDelay(n, 500, 3_000);

async function steady(sender: Sender, rate: number, pick: DelayPicker): Promise<object> {
  const total = rate * STEADY_SECONDS;
  const started = Date.now();
  const pending: Promise<void>[] = [];
  for (let n = 0; n < total; n++) {
    const due = started + (n * 1000) / rate;
    if (due > Date.now()) await new Promise((resolve) => setTimeout(resolve, due - Date.now()));
    pending.push(sender.send(n, pick(n)));
  }
  await Promise.all(pending);
  await sender.done(total);
  return {
    rate_msgs_per_s: rate,
    messages: total,
    lost: total - sender.arrivals.size,
    ...summarise([...sender.arrivals.values()]),
  };
}

/** BURST messages published at once, all due within 100 ms of each other: how fast can the topology deliver them? */
async function burst(sender: Sender, pick: DelayPicker): Promise<Record<string, number>> {
  const started = Date.now();
  const pending: Promise<void>[] = [];
  for (let n = 0; n < BURST; n++) pending.push(sender.send(n, pick(n)));
  await Promise.all(pending);
  const published = Date.now();
  await sender.done(BURST);
  const drained = Date.now();
  return {
    messages: BURST,
    publish_ms: published - started,
    // Messages delivered per second from the first due time to the last arrival.
    delivered_msgs_per_s: Math.round(BURST / ((drained - started - 1_000) / 1000)),
    lost: BURST - sender.arrivals.size,
    ...summarise([...sender.arrivals.values()]),
  };
}

async function countTopology(broker: BenchBroker, prefix: string) {
  const management = new ManagementClient(broker.handle.managementUrl, broker.handle.username, broker.handle.password);
  const vhost = encodeURIComponent(broker.vhost);
  const queues = await management.request<{ name: string }[]>('GET', `/queues/${vhost}`);
  const exchanges = await management.request<{ name: string }[]>('GET', `/exchanges/${vhost}`);
  return {
    queues: queues.filter((q) => q.name.startsWith(prefix)).length,
    exchanges: exchanges.filter((x) => x.name.startsWith(prefix)).length,
  };
}

/** Lateness and throughput of both kit topologies and the topic-ladder baseline. */
export async function delays(broker: BenchBroker): Promise<void> {
  const contenders: [string, string, DelayPicker, string, () => Promise<Sender>][] = [
    [
      'kit-delay-queues',
      'bq',
      fiveDelays,
      '5 fixed delays, 0.5-3 s',
      () => kitSender(broker.url, { topology: 'queues', prefix: 'bq' }, `target-queues-${Date.now()}`),
    ],
    [
      'kit-delay-ladder',
      'bl',
      anyDelay,
      'any delay, 0.5-3 s',
      () => kitSender(broker.url, { topology: 'ladder', prefix: 'bl' }, `target-ladder-${Date.now()}`),
    ],
    [
      'topic-ladder-baseline',
      'baseline',
      anyDelay,
      'any delay, 0.5-3 s',
      () => baselineSender(broker.url, `target-baseline-${Date.now()}`),
    ],
  ];
  const burstDelays: DelayPicker = (n) => spreadDelay(n, 1_000, 1_100);
  for (const [name, , pick, delays, make] of contenders) {
    for (const rate of [500, 1_000]) {
      const sender = await make();
      console.log(
        JSON.stringify({ bench: 'delay-steady', topology: name, delays, ...(await steady(sender, rate, pick)) }),
      );
      await sender.close();
    }
  }
  // A burst's rate moves by up to 2× between runs of the same code here (the
  // broker writes every message to disk at every hop): the kit's two
  // topologies take turns, and each line gives the medians of its rounds.
  const bursts: Record<string, Record<string, number>[]> = {};
  /** What each topology holds on the broker right after its last burst. */
  const held: Record<string, { queues: number; exchanges: number }> = {};
  const burstOf = async ([name, prefix, pick, , make]: (typeof contenders)[number]) => {
    bursts[name] = [...(bursts[name] ?? []), await timedBurst(make, pick === fiveDelays ? () => 1_000 : burstDelays)];
    held[name] = await countTopology(broker, prefix);
  };
  const [queues, ladder, baseline] = contenders;
  for (let round = 0; round < BURST_ROUNDS; round++) {
    for (const contender of round % 2 === 0 ? [queues, ladder] : [ladder, queues])
      if (contender) await burstOf(contender);
  }
  // The topic-ladder baseline takes 15-20 s a burst: once is enough to place it.
  if (baseline) await burstOf(baseline);
  for (const [name] of contenders) {
    const rounds = bursts[name] ?? [];
    console.log(
      JSON.stringify({
        bench: 'delay-burst',
        topology: name,
        rounds: rounds.length,
        ...medians(rounds),
        ...held[name],
      }),
    );
  }
}

async function timedBurst(make: () => Promise<Sender>, pick: DelayPicker): Promise<Record<string, number>> {
  const sender = await make();
  const result = await burst(sender, pick);
  await sender.close();
  return result;
}

/** Each figure's median over rounds. */
function medians(rounds: Record<string, number>[]): Record<string, number> {
  const keys = Object.keys(rounds[0] ?? {});
  return Object.fromEntries(keys.map((key) => [key, Math.round(median(rounds.map((round) => round[key] ?? 0)))]));
}

await runIfMain(import.meta.url, delays);
