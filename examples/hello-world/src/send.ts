// Sends one message to the queue "hello", then exits.
// Run: pnpm --filter hello-world send "Hello World!"
import { connectOrExit } from 'retry-kit';

const queue = 'hello';
const text = process.argv[2] ?? 'Hello World!';

// The kit connects (AMQP_URL, or amqp://localhost) and turns a missing broker
// or a conflicting queue into one line; the AMQP calls below are amqplib's own.
const rabbit = await connectOrExit({ hint: 'Start one with: pnpm broker', rabbitmqctl: 'pnpm rabbitmqctl' });

// A confirm channel: the broker acknowledges each message once it holds it.
const { channel } = await rabbit.setupChannel(
  async (channel) => {
    // Declared as the official tutorials declare it, so their programs share
    // it with ours. Durable, and quorum: replicated, every message on disk.
    await channel.assertQueue(queue, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
  },
  { confirm: true },
);

// The default exchange ('') routes a message to the queue its routing key names.
channel.sendToQueue(queue, Buffer.from(text));
// Resolves once the broker has confirmed the message: safe to exit now.
await channel.waitForConfirms();
console.log(` [x] Sent '${text}'`);

await rabbit.close();
