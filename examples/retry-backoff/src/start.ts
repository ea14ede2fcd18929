// pnpm --filter retry-backoff start: the caveat, the fix, and a flaky API,
// with delays scaled down (SCALE, default 0.2), and a picture of it all.
import { mkdirSync, writeFileSync } from 'node:fs';
import { connectOrExit } from 'retry-kit';
import { withKit } from './backoff.js';
import { DOWN_FOR_MS, describeJobs, flakyWorker } from './flaky-worker.js';
import { SCALE, table } from './scenario.js';
import { timelineSvg, timelineText } from './timeline.js';
import { ttlCaveat } from './ttl-caveat.js';

const rabbit = await connectOrExit({ hint: 'Start one with: pnpm broker' });
console.log(`Delays of 10 s, 1 s, 5 s and 2 s, published in that order, scaled by ${SCALE}.\n`);

const naive = await ttlCaveat(rabbit);
await rabbit.close();
console.log(table('1. One delay queue, per-message TTL (the caveat):', naive));

const queues = await withKit(process.env.AMQP_URL, 'queues');
console.log(table(`\n2a. retry-kit, one queue per delay (${queues.delayQueues} delay queues):`, queues.rows));
const ladder = await withKit(process.env.AMQP_URL, 'ladder');
console.log(table(`2b. retry-kit, binary ladder (${ladder.delayQueues} delay queues, fixed):`, ladder.rows));
console.log('    The seed recipe, a delay queue per routing key per delay, would need 12 for 3 routing keys.');

const groups = [
  { title: 'per-message TTL', rows: naive },
  { title: 'retry-kit: queue per delay', rows: queues.rows },
  { title: 'retry-kit: ladder', rows: ladder.rows },
];
console.log(`\n${timelineText(groups)}`);
const file = new URL('../out/timeline.svg', import.meta.url);
mkdirSync(new URL('.', file), { recursive: true });
writeFileSync(file, timelineSvg(groups));
console.log(`\nThe timeline as a picture: ${file.pathname}`);

console.log(`\n3. A worker calling a translation API that is down for ${DOWN_FOR_MS / 1000} s:`);
console.log(describeJobs(await flakyWorker(process.env.AMQP_URL)));
