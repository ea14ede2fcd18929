// A translation service goes down while texts wait in a queue. Without a
// circuit breaker the consumer spends every text's attempts on the outage
// and dead-letters the lot; with one, it stops consuming after a few failures
// in a row, lets one text through now and then (half-open), and consumes
// again once one succeeds: the backlog waits in the queue for the service.
// Run: pnpm --filter retry-backoff breaker
import { connectOrExit } from 'retry-kit';
import { BREAKER, type OutageRun, outage, RETRY } from './breaker-scenario.js';

const check = await connectOrExit({ hint: 'Start one with: pnpm broker' });
await check.close();
console.log(`Retry policy: ${JSON.stringify(RETRY)}\n`);

console.log('1. Without a circuit breaker:');
const without = await outage(process.env.AMQP_URL, undefined);
console.log(`\n2. With breaker: ${JSON.stringify(BREAKER)}`);
const withBreaker = await outage(process.env.AMQP_URL, BREAKER);

const columns = (cells: (string | number)[]) => cells.map((cell, i) => String(cell).padStart(i < 4 ? 15 : 24)).join('');
const row = (label: string, run: OutageRun) =>
  `  ${label.padEnd(18)}${columns([run.attempts, run.deadLettered, run.translated, run.lost, `${run.drainAfterRecoveryMs} ms`])}`;
console.log(
  `\n${' '.repeat(20)}${columns(['attempts', 'dead-lettered', 'translated', 'lost', 'drained after recovery'])}`,
);
console.log(row('without a breaker', without));
console.log(row('with the breaker', withBreaker));
