// pnpm --filter publisher-confirms start: the four ways to publish, measured
// on 5,000 messages, then the failures a publisher must handle.
import { startProgram } from 'step-demo';

const run = (program: string, args: string[] = []) =>
  startProgram(new URL(`./${program}.ts`, import.meta.url), args, program, { show: 'plain' }).exited;

const measured = await run('publisher_confirms', ['5000']);
console.log('\nWhat the broker answers when things go wrong:\n');
const failures = await run('confirm_failures');
process.exitCode = measured === 0 && failures === 0 ? 0 : 1;
