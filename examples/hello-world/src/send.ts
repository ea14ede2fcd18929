// Sends one message to the queue "hello", then exits.
// Run: pnpm --filter hello-world send "Hello World!"
import { connectOrExit } from 'retry-kit';

const rabbit = await connectOrExit({ hint: 'Start one with: pnpm broker' });

// Durable: RabbitMQ 4.3 refuses transient queues, and a durable queue
// survives a broker restart. Declaring is idempotent, so both programs do it.
await rabbit.declare({ queues: [{ name: 'hello' }] });

const text = process.argv[2] ?? 'Hello World!';
// Resolves only when the broker has confirmed it holds the message, so it is
// safe to exit right after: no setTimeout needed.
await rabbit.sendToQueue('hello', { text });
console.log(` [x] Sent '${text}'`);

await rabbit.close();
