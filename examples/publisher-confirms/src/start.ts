// pnpm --filter publisher-confirms start: the four ways to publish, measured
// on 5,000 messages, then the failures a publisher must handle.
import { spawn } from 'node:child_process';
import { once } from 'node:events';

async function run(program: string, args: string[] = []): Promise<number | null> {
  const file = new URL(`./${program}.ts`, import.meta.url).pathname;
  const child = spawn(process.execPath, ['--import', 'tsx', file, ...args], { stdio: 'inherit' });
  const [code] = await once(child, 'exit');
  return code;
}

const measured = await run('publisher_confirms', ['5000']);
console.log('\nWhat the broker answers when things go wrong:\n');
const failures = await run('confirm_failures');
process.exitCode = measured === 0 && failures === 0 ? 0 : 1;
