// The course's random-order producer:
//   pnpm --filter orders-store load -- --count 1000 --rate 100 [--url http://127.0.0.1:3000] [--wait 120]
// POSTs random orders on schedule, shows progress, waits for every accepted
// order to be done or failed, and sums up.
import { Presets, SingleBar } from 'cli-progress';
import { parseCommandLine } from './command-line.js';
import { percentile, placeOrders, UnreachableError, waitUntilSettled } from './traffic.js';

const usage = 'usage: load --count <orders> --rate <orders per second> [--url <api url>] [--wait <seconds>]';

function settings() {
  try {
    const values = parseCommandLine({
      count: { type: 'string' },
      rate: { type: 'string' },
      url: { type: 'string', default: `http://127.0.0.1:${process.env.PORT ?? 3000}` },
      wait: { type: 'string', default: '120' },
    });
    const positive = (name: 'count' | 'rate' | 'wait') => {
      const value = Number(values[name]);
      if (values[name] === undefined) throw new Error(`--${name} is required`);
      if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} must be a whole number above 0`);
      return value;
    };
    new URL(values.url);
    return { count: positive('count'), rate: positive('rate'), url: values.url, waitS: positive('wait') };
  } catch (error) {
    console.error(`${(error as Error).message}\n${usage}`);
    process.exit(2);
  }
}

const { count, rate, url, waitS } = settings();
const bar = new SingleBar({ format: '{phase} [{bar}] {value}/{total}', hideCursor: true }, Presets.shades_classic);

bar.start(count, 0, { phase: 'placing ' });
let placed: Awaited<ReturnType<typeof placeOrders>>;
try {
  placed = await placeOrders(url, { count, rate, onPlaced: () => bar.increment() });
} catch (error) {
  bar.stop();
  if (!(error instanceof UnreachableError)) throw error;
  console.error(`Cannot reach the orders API at ${error.message}. Start it with: pnpm --filter orders-store start`);
  process.exit(1);
}
bar.stop();

const settling = performance.now();
let failed = 0;
bar.start(placed.ids.length, 0, { phase: 'settling' });
const pending = await waitUntilSettled(url, placed.ids, {
  timeoutMs: waitS * 1_000,
  onSettled: (order) => {
    if (order.status === 'failed') failed++;
    bar.increment();
  },
});
bar.stop();

const seconds = (ms: number) => (ms / 1_000).toFixed(1);
const ms = (value: number) => `${value.toFixed(1)} ms`;
const refused = [...placed.refused].map(([status, n]) => `${n} answered ${status}`).join(', ') || 'none refused';
console.log(
  `placed ${count} orders in ${seconds(placed.elapsedMs)} s (${Math.round((count * 1_000) / placed.elapsedMs)}/s): ${placed.ids.length} accepted, ${refused}`,
);
if (placed.behindMs > 0) {
  console.log(
    `behind schedule: the last order went out ${seconds(placed.behindMs)} s late, so orders were offered at ${Math.round(placed.offeredPerS)}/s, not ${rate}/s (this process or machine could not keep up)`,
  );
}
console.log(
  `POST latency: p50 ${ms(percentile(placed.latencies, 50))}, p99 ${ms(percentile(placed.latencies, 99))}, max ${ms(Math.max(...placed.latencies))}`,
);
const settled = placed.ids.length - pending.length;
console.log(
  `settled ${settled} of ${placed.ids.length} within ${seconds(performance.now() - settling)} s of the last POST: ${settled - failed} done, ${failed} failed, ${pending.length} still pending`,
);
process.exit(pending.length === 0 && placed.refused.size === 0 ? 0 : 1);
