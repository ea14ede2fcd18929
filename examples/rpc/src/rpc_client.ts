// Asks for fib(n) for each n given, all at once on one connection, and prints
// each answer as it comes. Exits 1 if any fails or no server answers in time.
// Run: pnpm --filter rpc rpc_client 30 10
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ConsumeMessage } from 'amqplib';
import { connectOrExit } from 'retry-kit';

const numbers = process.argv.slice(2);
if (numbers.length === 0) {
  console.error('Usage: rpc_client <n>...');
  process.exit(1);
}
const TIMEOUT_MS = Number(process.env.RPC_TIMEOUT_MS ?? 5_000);
// Direct reply-to: replies come straight back to this channel's consumer,
// with no queue to declare. The broker requires noAck for it.
const REPLY_TO = 'amq.rabbitmq.reply-to';

const waiting = new Map<string, (reply: ConsumeMessage) => void>();
const rabbit = await connectOrExit({ hint: 'Start one with: pnpm broker', rabbitmqctl: 'pnpm rabbitmqctl' });
const { channel } = await rabbit.setupChannel(
  async (channel) => {
    await channel.consume(
      REPLY_TO,
      // A reply whose correlation id is not one we wait for (a request that
      // timed out, a confused server) is dropped.
      (reply) => reply && waiting.get(reply.properties.correlationId)?.(reply),
      { noAck: true },
    );
  },
  { confirm: true },
);

async function call(n: string): Promise<boolean> {
  const correlationId = randomUUID();
  const replied = new Promise<ConsumeMessage>((resolve) => waiting.set(correlationId, resolve));
  console.log(` [x] Requesting fib(${n})`);
  // The request expires with the client's patience: no server works on it later.
  const options = { correlationId, replyTo: REPLY_TO, expiration: String(TIMEOUT_MS) };
  const sent = await new Promise<boolean>((resolve) =>
    channel.sendToQueue('rpc_queue', Buffer.from(n), options, (error) => resolve(!error)),
  );
  if (!sent) {
    console.log(` [!] fib(${n}): the broker did not take the request`);
    return false;
  }
  const reply = await Promise.race([replied, sleep(TIMEOUT_MS, undefined, { ref: false })]);
  waiting.delete(correlationId);
  if (!reply) console.log(` [!] fib(${n}): no server answered in ${TIMEOUT_MS} ms (is rpc_server running?)`);
  else if (reply.properties.type === 'error') console.log(` [!] fib(${n}): ${reply.content.toString()}`);
  else console.log(` [.] Got fib(${n}) = ${reply.content.toString()}`);
  return reply !== undefined && reply.properties.type !== 'error';
}

const answered = await Promise.all(numbers.map(call));
await rabbit.close();
process.exitCode = answered.every(Boolean) ? 0 : 1;
