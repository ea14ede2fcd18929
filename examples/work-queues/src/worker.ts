// Takes tasks from "task_queue" one at a time and "works" a second per dot.
// Run: pnpm --filter work-queues worker   (start two, in two terminals)
import { setTimeout as sleep } from 'node:timers/promises';
import { connectOrExit } from 'retry-kit';
import { WORK_SECOND_MS, workSeconds } from './work.js';

const queue = 'task_queue';
// The demo sets PREFETCH=0 (no limit) to show round-robin dispatch.
const prefetch = Number(process.env.PREFETCH ?? 1);

// Ctrl+C stops taking tasks, lets the one in hand finish and be acked, then exits.
const rabbit = await connectOrExit({ hint: 'Start one with: pnpm broker', rabbitmqctl: 'pnpm rabbitmqctl' });
await rabbit.setupChannel(async (channel) => {
  await channel.assertQueue(queue, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
  // Fair dispatch: no new task for this worker until it has acked the last one.
  await channel.prefetch(prefetch);
  console.log(' [*] Waiting for messages. To exit press CTRL+C');
  // One task at a time, in the order they came. Node does not block while a
  // task sleeps: without this chain, a worker would start every task it holds at once.
  let working = Promise.resolve();
  await channel.consume(queue, (message) => {
    if (!message) return; // the broker cancelled this consumer (the queue was deleted)
    working = working.then(async () => {
      const task = message.content.toString();
      console.log(` [x] Received '${task}'`);
      await sleep(workSeconds(task) * WORK_SECOND_MS);
      console.log(' [x] Done');
      // Acked after the work: if this worker dies mid-task, the broker gives
      // the task to another worker.
      channel.ack(message);
    });
  });
});
