// A worker module for `retry-kit worker`: card payments. A declined card is
// final (PermanentError, dead-lettered at once); a gateway timeout is retried
// 1, 2 and 4 s later, then dead-lettered as exhausted. In production the
// delays would be minutes and hours, for a week (see docs/05-retry-kit.md).
//
//   pnpm retry-kit worker --queue payments --handlers packages/retry-kit/examples/payments-worker.ts
import { PermanentError, type RetryPolicy } from '../src/index.js';

export interface Payment {
  id: string;
  amountCents: number;
  card: 'ok' | 'declined' | 'gateway-down';
}

export const handlers = {
  'payment.requested': async (payment: Payment) => {
    if (payment.card === 'declined') throw new PermanentError(`card declined for ${payment.id}`);
    if (payment.card === 'gateway-down') throw new Error('payment gateway timed out');
    console.log(`charged ${payment.id}: ${(payment.amountCents / 100).toFixed(2)} EUR`);
  },
};

export const retry: RetryPolicy = { attempts: 4, backoff: { type: 'exponential', initialDelay: 1_000 } };
