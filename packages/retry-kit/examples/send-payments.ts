// Sends card payments to the "payments" queue, for the operator walkthrough:
//   pnpm --filter retry-kit send-payments -- --count 10
// Every fifth card is declined; every fifth payment goes through the backup gateway.
import { parseArgs } from 'node:util';
import { connectOrExit } from '../src/index.js';
import type { Payment } from './payments-worker.js';

const args = process.argv.slice(2).filter((arg, index) => !(index === 0 && arg === '--'));
const count = Number(parseArgs({ args, options: { count: { type: 'string', default: '10' } } }).values.count);
if (!Number.isInteger(count) || count <= 0) {
  console.error('usage: send-payments [--count <n>]');
  process.exit(2);
}
const rabbit = await connectOrExit({ hint: 'Start one with: pnpm broker' });
await rabbit.declare({ queues: [{ name: 'payments' }] });
for (let n = 1; n <= count; n++) {
  const payment: Payment = {
    id: `pay-${n}`,
    amountCents: 1_000 + n,
    card: n % 5 === 0 ? 'declined' : 'valid',
    gateway: n % 5 === 3 ? 'backup' : 'main',
  };
  await rabbit.sendToQueue('payments', payment, { messageId: payment.id, type: 'payment.requested' });
}
console.log(`sent ${count} payments`);
await rabbit.close();
