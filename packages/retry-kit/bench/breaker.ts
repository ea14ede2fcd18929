// pnpm bench, breaker: a translation service down for a fixed outage, a
// backlog waiting, and a retry policy that gives up within the outage. The
// same messages and outage run without and then with the consumer's circuit
// breaker, each on fresh queues. attempts are handler calls; lost counts
// messages neither handled nor dead-lettered when the run ends (must be 0);
// drainAfterRecoveryMs runs from the service's return to the last message
// settled (0 when nothing was left: the backlog was already dead-lettered).
import { setTimeout as sleep } from 'node:timers/promises';
import { type BreakerOptions, connect, type RetryPolicy, silentLogger } from '../src/index.js';
import { type BenchBroker, runIfMain } from './broker.js';

const MESSAGES = Number(process.env.BENCH_BREAKER_MESSAGES ?? 300);
const OUTAGE_MS = Number(process.env.BENCH_BREAKER_OUTAGE_MS ?? 5_000);
/** What one call to the service takes, up or down. */
const CALL_MS = 5;
/** Gives a message up 100 + 200 + 400 + 800 ms after its first failure: well within the outage. */
const RETRY: RetryPolicy = { attempts: 5, backoff: { type: 'exponential', initialDelay: 100, factor: 2 } };
const BREAKER: BreakerOptions = { failures: 5, coolDown: 500, maxCoolDown: 2_000 };
/** A run that has not accounted for every message by then stops, and reports the rest as lost. */
const GIVE_UP_MS = 30_000;

async function outage(url: string, breaker: boolean): Promise<Record<string, number>> {
  const name = `bench-breaker-${breaker ? 'on' : 'off'}`;
  const rabbit = await connect({ url, logger: silentLogger, retry: RETRY, delays: { prefix: name } });
  const queue = name;
  await rabbit.declare({ queues: [{ name: queue }] });
  await rabbit.declareDelays(queue);
  await Promise.all(
    Array.from({ length: MESSAGES }, (_, n) => rabbit.sendToQueue(queue, { n }, { messageId: String(n) })),
  );

  const handled = new Set<number>();
  const deadLettered = new Set<string>();
  let attempts = 0;
  let failedAttempts = 0;
  let lastSettledAt = 0;
  let resolve!: () => void;
  const allSettled = new Promise<void>((r) => (resolve = r));
  const settled = () => {
    lastSettledAt = performance.now();
    if (handled.size + deadLettered.size >= MESSAGES) resolve();
  };
  rabbit.on('dead-lettered', (event) => {
    deadLettered.add(event.messageId ?? '');
    settled();
  });

  const cpu = process.cpuUsage();
  const upAt = performance.now() + OUTAGE_MS;
  /** The in-process stand-in for the translation service: down until upAt. */
  const translate = async (n: number) => {
    await sleep(CALL_MS);
    if (performance.now() < upAt) throw new Error('translation service answered 503');
    return `[fr] ${n}`;
  };
  await rabbit.consume<{ n: number }>(
    queue,
    async ({ n }) => {
      attempts++;
      try {
        await translate(n);
      } catch (error) {
        failedAttempts++;
        throw error;
      }
      handled.add(n);
      settled();
    },
    { breaker: breaker ? BREAKER : undefined },
  );
  const giveUp = new AbortController();
  await Promise.race([allSettled, sleep(GIVE_UP_MS, undefined, { signal: giveUp.signal }).catch(() => {})]);
  giveUp.abort();
  const { user, system } = process.cpuUsage(cpu);
  await rabbit.close();
  return {
    attempts,
    failedAttempts,
    deadLettered: deadLettered.size,
    handled: handled.size,
    lost: MESSAGES - handled.size - deadLettered.size,
    drainAfterRecoveryMs: Math.max(0, Math.round(lastSettledAt - upAt)),
    cpuMsPerMessage: Number(((user + system) / 1000 / MESSAGES).toFixed(3)),
  };
}

export async function breaker(broker: BenchBroker): Promise<void> {
  for (const on of [false, true]) {
    const figures = await outage(broker.url, on);
    console.log(JSON.stringify({ bench: 'breaker', breaker: on, messages: MESSAGES, outageMs: OUTAGE_MS, ...figures }));
  }
}

await runIfMain(import.meta.url, breaker);
