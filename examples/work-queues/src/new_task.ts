// Sends a task to the queue "task_queue"; each dot is a second of work.
// Run: pnpm --filter work-queues new_task "A heavy task....."
import { connectOrExit } from 'retry-kit';
import { QUEUE } from './work.js';

const rabbit = await connectOrExit({ hint: 'Start one with: pnpm broker' });
await rabbit.declare({ queues: [{ name: QUEUE }] }); // durable: survives a broker restart

const task = process.argv.slice(2).join(' ') || 'Hello World...';
// Persistent (the kit's default), so the task survives a restart too; the
// broker confirms once it has written it, and only then do we exit.
await rabbit.sendToQueue(QUEUE, { task });
console.log(` [x] Sent '${task}'`);

await rabbit.close();
