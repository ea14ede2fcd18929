// pnpm --filter work-queues start: two workers share a batch of tasks, first
// dealt out in turn (round-robin), then to whichever worker is free (fair
// dispatch), and a table per mode shows who did what and how long it took.
import { connectOrExit } from 'retry-kit';
import { type StepProgram, startProgram } from 'step-demo';
import { workSeconds } from './work.js';

const WORK_SECOND_MS = 100; // a tenth of a second per dot, so the demo is quick
// Odd tasks are heavy, even ones light.
const TASKS = Array.from({ length: 8 }, (_, i) => `task ${i + 1}${i % 2 === 0 ? '.........' : '.'}`);

/** A worker's lines are not shown: the table says what it did. */
async function startWorker(name: string, prefetch: number, onDone: () => void): Promise<StepProgram> {
  const worker = startProgram(new URL('./worker.ts', import.meta.url), [], name, {
    env: { PREFETCH: String(prefetch), WORK_SECOND_MS: String(WORK_SECOND_MS) },
    show: 'none',
    onLine: (line) => {
      if (line.includes('Done')) onDone();
    },
  });
  await worker.printed('Waiting for messages');
  return worker;
}

/** The tasks `worker` did, in order: each " [x] Done" closes the last " [x] Received '...'". */
function tasksDone(worker: StepProgram): string[] {
  const done: string[] = [];
  let current = '';
  for (const line of worker.lines) {
    const received = /Received '(.*)'/.exec(line);
    if (received?.[1]) current = received[1];
    if (line.includes('Done')) done.push(current);
  }
  return done;
}

async function runMode(title: string, prefetch: number): Promise<number> {
  let finished = 0;
  let allDone!: () => void;
  const done = new Promise<void>((resolve) => {
    allDone = resolve;
  });
  const onDone = () => {
    if (++finished === TASKS.length) allDone();
  };
  const workers = await Promise.all(['worker A', 'worker B'].map((name) => startWorker(name, prefetch, onDone)));
  // What new_task does, for the whole batch: the workers have declared the queue.
  const rabbit = await connectOrExit({ rabbitmqctl: 'pnpm rabbitmqctl' });
  const { channel } = await rabbit.setupChannel(async () => {}, { confirm: true });
  const started = Date.now();
  for (const task of TASKS) channel.sendToQueue('task_queue', Buffer.from(task), { persistent: true });
  await channel.waitForConfirms();
  await done;
  const seconds = (Date.now() - started) / 1000;
  await rabbit.close();

  console.log(`\n${title} (prefetch ${prefetch === 0 ? 'unlimited' : prefetch})`);
  console.log('  worker     tasks  work (s)  tasks done');
  for (const worker of workers) {
    const done = tasksDone(worker);
    const work = done.reduce((sum, task) => sum + workSeconds(task), 0) * (WORK_SECOND_MS / 1000);
    const names = done.map((task) => task.replace(/\.+$/, '')).join(', ');
    console.log(`  ${worker.name}  ${String(done.length).padStart(5)}  ${work.toFixed(1).padStart(8)}  ${names}`);
  }
  console.log(`  all done in ${seconds.toFixed(1)} s`);
  for (const worker of workers) worker.stop();
  await Promise.all(workers.map((worker) => worker.exited));
  return seconds;
}

console.log(
  `${TASKS.length} tasks, odd ones heavy (9 dots), even ones light (1 dot); a dot is ${WORK_SECOND_MS} ms of work.`,
);
const roundRobin = await runMode('Round-robin: tasks dealt out in turn', 0);
const fair = await runMode('Fair dispatch: the next task goes to a free worker', 1);
console.log(`\nFair dispatch finished in ${fair.toFixed(1)} s instead of ${roundRobin.toFixed(1)} s.`);
