// Takes tasks from "task_queue" one at a time and "works" a second per dot.
// Run: pnpm --filter work-queues worker   (start two, in two terminals)
import { setTimeout as sleep } from 'node:timers/promises';
import { connectOrExit } from 'retry-kit';
import { QUEUE, WORK_SECOND_MS, workSeconds } from './work.js';

const rabbit = await connectOrExit({ hint: 'Start one with: pnpm broker' });
await rabbit.declare({ queues: [{ name: QUEUE }] });

// prefetch 1: the broker hands this worker a new task only once it has acked
// the last one, so a busy worker is skipped (fair dispatch). PREFETCH=0 lifts
// the limit: tasks are then dealt out in turn, busy or not (round-robin).
const prefetch = Number(process.env.PREFETCH ?? 1);

console.log(' [*] Waiting for messages. To exit press CTRL+C');
// The ack goes when the handler returns, after the work: if this worker dies
// mid-task, the broker gives the task to another worker.
await rabbit.consume<{ task: string }>(
  QUEUE,
  async ({ task }) => {
    console.log(` [x] Received '${task}'`);
    await sleep(workSeconds(task) * WORK_SECOND_MS);
    console.log(' [x] Done');
  },
  { prefetch },
);
