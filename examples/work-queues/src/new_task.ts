// Sends a task to the queue "task_queue"; each dot is a second of work.
// Run: pnpm --filter work-queues new_task "A heavy task....."
import { connectOrExit } from 'retry-kit';

const queue = 'task_queue';
const task = process.argv.slice(2).join(' ') || 'Hello World!';

const rabbit = await connectOrExit({ hint: 'Start one with: pnpm broker', rabbitmqctl: 'pnpm rabbitmqctl' });
const { channel } = await rabbit.setupChannel(
  async (channel) => {
    // Durable, so the queue survives a broker restart.
    await channel.assertQueue(queue, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
  },
  { confirm: true },
);

// Persistent, so the task survives a restart too. (A quorum queue writes every
// message to disk anyway; a classic queue keeps only persistent ones.)
channel.sendToQueue(queue, Buffer.from(task), { persistent: true });
// The broker confirms once it has written the task; only then do we exit.
await channel.waitForConfirms();
console.log(` [x] Sent '${task}'`);

await rabbit.close();
