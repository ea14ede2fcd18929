// A worker calling a translation API that is down for a while: it retries
// often at first and then less and less (exponential backoff, equal jitter),
// succeeds once the API is back, and gives a hopeless job up when its shelf
// life ends: that one lands in the dead-letter queue with reason "deadline".
// Run: pnpm --filter retry-backoff flaky-worker
import { connect, connectOrExit, type RetryPolicy, silentLogger } from 'retry-kit';
import { SCALE } from './scenario.js';
import { startTranslationService } from './translation-service.js';

/** Retry often at first, then less and less; give up after the text's shelf life. */
export const POLICY: RetryPolicy = {
  backoff: { type: 'exponential', initialDelay: Math.round(500 * SCALE), factor: 2 },
  maxDelay: Math.round(4_000 * SCALE),
  jitter: 'equal',
  deadline: Math.round(15_000 * SCALE),
  deadlineFrom: 'first-failure',
};
export const DOWN_FOR_MS = Math.round(6_000 * SCALE);

export interface JobReport {
  text: string;
  /** ms after publish of each attempt. */
  attempts: number[];
  outcome: string;
  /** ms after publish when the API came back. */
  apiUpAfter: number;
}

export async function flakyWorker(url: string | undefined): Promise<JobReport[]> {
  const service = await startTranslationService(DOWN_FOR_MS);
  const rabbit = await connect({ url, logger: silentLogger, retry: POLICY, delays: { prefix: 'demo-flaky' } });
  const queue = 'translations';
  await rabbit.declare({ queues: [{ name: queue }] });
  const reports = new Map<string, JobReport>();
  const publishedAt = Date.now();
  let finished = 0;
  let resolveAll!: () => void;
  const all = new Promise<void>((resolve) => {
    resolveAll = resolve;
  });
  const finish = (text: string, outcome: string) => {
    const report = reports.get(text);
    if (report) report.outcome = outcome;
    if (++finished === reports.size) resolveAll();
  };
  rabbit.on('dead-lettered', ({ messageId, reason }) => finish(String(messageId), `dead-lettered: ${reason}`));

  await rabbit.consume<{ text: string }>(queue, async ({ text }) => {
    reports.get(text)?.attempts.push(Date.now() - publishedAt);
    const response = await fetch(`${service.url}?text=${encodeURIComponent(text)}`);
    if (!response.ok) throw new Error(`translation API answered ${response.status}`);
    const { translated } = (await response.json()) as { translated: string };
    finish(text, `translated: ${translated}`);
  });
  for (const text of ['hello world', 'hopeless']) {
    reports.set(text, { text, attempts: [], outcome: 'pending', apiUpAfter: service.upAt - publishedAt });
    await rabbit.sendToQueue(queue, { text }, { messageId: text });
  }
  await all;
  await rabbit.close();
  await service.close();
  return [...reports.values()];
}

export function describeJobs(reports: JobReport[]): string {
  return reports
    .map((report) => {
      const times = report.attempts.map((ms) => (ms / 1000).toFixed(2)).join(', ');
      return `  "${report.text}": ${report.attempts.length} attempts at ${times} s -> ${report.outcome}`;
    })
    .join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const check = await connectOrExit({ hint: 'Start one with: pnpm broker' });
  await check.close();
  console.log(
    `The translation API is down for the first ${DOWN_FOR_MS / 1000} s; the shelf life is ${POLICY.deadline! / 1000} s.`,
  );
  console.log(describeJobs(await flakyWorker(process.env.AMQP_URL)));
}
