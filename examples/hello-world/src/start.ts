// pnpm --filter hello-world start: both programs of this step in one run,
// as child processes, exactly as you would run them in two terminals.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import readline from 'node:readline';

function run(program: string, args: string[] = []): { child: ChildProcess; lines: AsyncIterator<string> } {
  const child = spawn(process.execPath, ['--import', 'tsx', new URL(program, import.meta.url).pathname, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = readline.createInterface({ input: child.stdout! });
  lines.on('line', (line) => console.log(`${program.padEnd(11)}|${line}`));
  return { child, lines: lines[Symbol.asyncIterator]() };
}

async function waitFor(lines: AsyncIterator<string>, text: string): Promise<void> {
  for (let next = await lines.next(); !next.done; next = await lines.next()) if (next.value.includes(text)) return;
  throw new Error(`the program ended before printing "${text}"`);
}

const receiver = run('./receive.ts');
await waitFor(receiver.lines, 'Waiting for messages');

const sender = run('./send.ts', ['Hello World!']);
const [sendCode] = await once(sender.child, 'exit');
await waitFor(receiver.lines, 'Received');

receiver.child.kill('SIGINT');
const [receiveCode] = await once(receiver.child, 'exit');
console.log(`send exited ${sendCode} after the broker's confirm; receive exited ${receiveCode} on Ctrl+C (SIGINT).`);
process.exitCode = sendCode === 0 && receiveCode === 0 ? 0 : 1;
