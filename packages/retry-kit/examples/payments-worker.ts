// A worker module for `retry-kit worker`: card payments. A declined card is
// final (PermanentError, dead-lettered at once). While BACKUP_GATEWAY=down,
// payments through the backup gateway time out: retried 1, 2 and 4 s later,
// then dead-lettered as exhausted, to be replayed once it is back. In
// production the delays would be minutes and hours, for a week.
//
//   pnpm retry-kit worker --queue payments --handlers packages/retry-kit/examples/payments-worker.ts
import { PermanentError, type RetryPolicy } from '../src/index.js';

export interface Payment {
  id: string;
  amountCents: number;
  card: 'valid' | 'declined';
  gateway: 'main' | 'backup';
}

export const handlers = {
  'payment.requested': async (payment: Payment) => {
    if (payment.card === 'declined') throw new PermanentError(`card declined for ${payment.id}`);
    if (payment.gateway === 'backup' && process.env.BACKUP_GATEWAY === 'down') {
      throw new Error('backup gateway timed out');
    }
    console.log(`charged ${payment.id}: ${(payment.amountCents / 100).toFixed(2)} EUR via ${payment.gateway}`);
  },
};

export const retry: RetryPolicy = { attempts: 4, backoff: { type: 'exponential', initialDelay: 1_000 } };
