// The story of `pnpm --filter retry-backoff breaker`: a backlog of texts to
// translate, a translation service that is down for a while, and a retry
// policy that gives a text up long before the service is back. One run, with
// or without the consumer's circuit breaker, told as it happens.
import { type BreakerOptions, connect, type Logger, type RetryPolicy } from 'retry-kit';
import { SCALE } from './scenario.js';
import { startTranslationService } from './translation-service.js';

export const MESSAGES = 300;
export const OUTAGE_MS = Math.round(25_000 * SCALE);
/** 5 attempts, waits doubling from 0.5 s: a text is given up 7.5 s after its first failure, well within the outage. */
export const RETRY: RetryPolicy = {
  attempts: 5,
  backoff: { type: 'exponential', initialDelay: Math.round(500 * SCALE), factor: 2 },
};
/** Open after 5 failures in a row; let one text through after 2.5 s, then 5 s, then every 10 s. */
export const BREAKER: BreakerOptions = {
  failures: 5,
  coolDown: Math.round(2_500 * SCALE),
  maxCoolDown: Math.round(10_000 * SCALE),
};

export interface OutageRun {
  /** Calls to the translation service: one per attempt. */
  attempts: number;
  deadLettered: number;
  translated: number;
  /** Texts neither translated nor dead-lettered when the run ended. */
  lost: number;
  /** From the service's return to the last text translated or dead-lettered; 0 when none was left by then. */
  drainAfterRecoveryMs: number;
}

export async function outage(url: string | undefined, breaker: BreakerOptions | undefined): Promise<OutageRun> {
  const queue = breaker ? 'translations.breaker' : 'translations.no-breaker';
  let began = Date.now();
  const say = (line: string) => console.log(`${`+${((Date.now() - began) / 1000).toFixed(2)}`.padStart(8)} s  ${line}`);
  // The kit's lines about the breaker only: those about failed attempts would be hundreds.
  const show = (message: string) => message.includes('circuit breaker') && say(`[retry-kit] ${message}`);
  const logger: Logger = { info: show, warn: show, error: (message) => console.error(`[retry-kit] ${message}`) };
  const rabbit = await connect({ url, logger, retry: RETRY, delays: { prefix: 'demo-breaker' } });
  // Exclusive: every run starts with an empty queue, deleted when the run ends.
  await rabbit.declare({ queues: [{ name: queue, exclusive: true }] });
  await rabbit.declareDelays(queue);
  await Promise.all(
    Array.from({ length: MESSAGES }, (_, n) => rabbit.sendToQueue(queue, { text: `text ${n}` }, { messageId: `${n}` })),
  );

  const translated = new Set<string>();
  const deadLettered = new Set<string>();
  let attempts = 0;
  let lastSettledAt = 0;
  let allSettled!: () => void;
  const settledAll = new Promise<void>((resolve) => (allSettled = resolve));
  const settled = (outcome: Set<string>, messageId: string | undefined) => {
    outcome.add(messageId ?? '');
    lastSettledAt = Date.now();
    if (translated.size + deadLettered.size === MESSAGES) allSettled();
  };
  rabbit.on('dead-lettered', ({ messageId }) => settled(deadLettered, messageId));

  const service = await startTranslationService(OUTAGE_MS);
  began = Date.now();
  say(`the translation service goes down for ${OUTAGE_MS / 1000} s; ${MESSAGES} texts wait in "${queue}"`);
  const tally = () =>
    `${translated.size} texts translated, ${deadLettered.size} dead-lettered, in ${attempts} attempts`;
  // Printed in this order on any machine: the page shows this output, and a slow one settles later.
  const serviceBack = new Promise<void>((resolve) =>
    setTimeout(() => resolve(say(`the translation service is back; by then ${tally()}`)), service.upAt - Date.now()),
  );
  await rabbit.consume<{ text: string }>(
    queue,
    async ({ text }, delivery) => {
      attempts++;
      const response = await fetch(`${service.url}?text=${encodeURIComponent(text)}`);
      if (!response.ok) throw new Error(`translation service answered ${response.status}`);
      settled(translated, delivery.messageId);
    },
    { breaker },
  );
  // Stops waiting for texts that never settle: they are reported as lost.
  const giveUp = setTimeout(allSettled, OUTAGE_MS + 30_000);
  await settledAll;
  clearTimeout(giveUp);
  await serviceBack;
  say(`all settled: ${tally()}`);
  await rabbit.close();
  await service.close();
  return {
    attempts,
    deadLettered: deadLettered.size,
    translated: translated.size,
    lost: MESSAGES - translated.size - deadLettered.size,
    drainAfterRecoveryMs: Math.max(0, lastSettledAt - service.upAt),
  };
}
