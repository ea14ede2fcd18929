// pnpm --filter hello-world start: both programs of this step in one run,
// as child processes, exactly as you would run them in two terminals.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import readline from 'node:readline';

interface Program {
  exited: Promise<number>;
  stop(): void;
  /** Resolves when the program prints a line containing `text`. */
  printed(text: string): Promise<void>;
  /** Holds the program's output back until `release`, so the two programs' lines read in order. */
  hold(): void;
  release(): void;
}

function run(name: 'send' | 'receive', args: string[] = []): Program {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', new URL(`./${name}.ts`, import.meta.url).pathname, ...args],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const waiting: { text: string; resolve: () => void }[] = [];
  let held: string[] | undefined;
  const show = (line: string) => console.log(`${name.padStart(7)} | ${line}`);
  readline.createInterface({ input: child.stdout! }).on('line', (line) => {
    if (held) held.push(line);
    else show(line);
    for (const wait of waiting.filter((w) => line.includes(w.text))) wait.resolve();
  });
  return {
    exited: once(child, 'exit').then(([code]) => code as number),
    stop: () => child.kill('SIGINT'),
    printed: (text) => new Promise((resolve) => waiting.push({ text, resolve })),
    hold: () => {
      held = [];
    },
    release: () => {
      for (const line of held ?? []) show(line);
      held = undefined;
    },
  };
}

const receive = run('receive');
await receive.printed('Waiting for messages');

receive.hold();
const received = receive.printed('Received');
const send = run('send', ['Hello World!']);
const sendCode = await send.exited;
await received;
receive.release();

receive.stop();
const receiveCode = await receive.exited;
console.log(
  `\nsend exited ${sendCode} once the broker confirmed the message; receive exited ${receiveCode} on Ctrl+C (SIGINT).`,
);
process.exitCode = sendCode === 0 && receiveCode === 0 ? 0 : 1;
