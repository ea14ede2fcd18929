// Publishes the same messages four ways, each to a fresh queue, and prints how
// fast each was and how many messages its queue then held.
// Run: pnpm --filter publisher-confirms publisher_confirms 50000
import { connectOrExit } from 'retry-kit';
import { publishAsynchronously, publishInBatches, publishIndividually, publishWithoutConfirms } from './strategies.js';

const count = Number(process.argv[2] ?? 10_000);
if (!Number.isInteger(count) || count < 1) {
  console.error('Usage: publisher_confirms [how many messages, default 10000]');
  process.exit(1);
}
const bodies = Array.from({ length: count }, (_, i) => Buffer.from(`message ${i + 1}`));

const rabbit = await connectOrExit({ hint: 'Start one with: pnpm broker', rabbitmqctl: 'pnpm rabbitmqctl' });
const { channel: plain } = await rabbit.setupChannel(async () => {});
// A confirm channel: the broker acks (or nacks) every message published on it.
const { channel } = await rabbit.setupChannel(async () => {}, { confirm: true });

const withIds = bodies.map((body, i) => ({ id: String(i + 1), body }));
const strategies = [
  ['no confirms (publish and hope)', plain, (queue: string) => publishWithoutConfirms(plain, queue, bodies)],
  ['one at a time (wait for each)', channel, (queue: string) => publishIndividually(channel, queue, bodies)],
  ['in batches of 100', channel, (queue: string) => publishInBatches(channel, queue, bodies, 100)],
  ['asynchronously (256 in flight)', channel, (queue: string) => publishAsynchronously(channel, '', queue, withIds)],
] as const;

const { version } = channel.connection.serverProperties;
console.log(
  `Publishing ${count.toLocaleString('en-US')} messages four ways, each to a new queue (RabbitMQ ${version}):\n`,
);
console.log('  strategy                          messages/s   in the queue when done');
for (const [name, publishedOn, publish] of strategies) {
  // Server-named and exclusive, as in the official tutorial: gone when we disconnect.
  const { queue } = await channel.assertQueue('', { exclusive: true });
  const started = performance.now();
  await publish(queue);
  const seconds = (performance.now() - started) / 1000;
  // Asked on the channel that published, so the broker counts after every message it received.
  const { messageCount } = await publishedOn.checkQueue(queue);
  const rate = Math.round(count / seconds).toLocaleString('en-US');
  console.log(`  ${name.padEnd(32)}  ${rate.padStart(10)}   ${messageCount}`);
  await channel.deleteQueue(queue);
}

await rabbit.close();
