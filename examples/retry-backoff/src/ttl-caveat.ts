// The naive recipe: one delay queue, a per-message TTL (`expiration`) on each
// message, dead-lettering back to the work queue. RabbitMQ only expires the
// message at the head of a queue, so a short delay waits behind a long one.
// Run: pnpm --filter retry-backoff ttl-caveat
import { connectOrExit, type RabbitClient } from 'retry-kit';
import { roundTrip } from './delayed-round-trip.js';
import { type Row, table } from './scenario.js';

export async function ttlCaveat(rabbit: RabbitClient): Promise<Row[]> {
  await rabbit.declare({
    queues: [
      { name: 'naive.back' },
      // The one delay queue: expired messages go back through the default exchange.
      { name: 'naive.delay', deadLetterExchange: '', deadLetterRoutingKey: 'naive.back' },
    ],
  });
  return roundTrip(rabbit, 'naive.back', (label, delayMs) =>
    rabbit.sendToQueue('naive.delay', { label }, { expiration: String(delayMs) }),
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const rabbit = await connectOrExit({ hint: 'Start one with: pnpm broker' });
  console.log(table('One delay queue, per-message TTL:', await ttlCaveat(rabbit)));
  await rabbit.close();
}
