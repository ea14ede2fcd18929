import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

export interface Program {
  child: ChildProcess;
  /** Every line printed so far, stdout and stderr. */
  output: string[];
  /** Resolves with the first line containing `text` (printed before or after the call). */
  line(text: string): Promise<string>;
  exit(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Runs one of this example's programs as a reader would: `tsx src/<name>.ts`, with its own AMQP_URL. */
export function runProgram(name: string, args: string[], amqpUrl: string): Program {
  const file = fileURLToPath(new URL(`../src/${name}.ts`, import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', file, ...args], {
    env: { ...process.env, AMQP_URL: amqpUrl },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const waiters: { text: string; resolve: (line: string) => void }[] = [];
  for (const stream of [child.stdout!, child.stderr!]) {
    readline.createInterface({ input: stream }).on('line', (line) => {
      output.push(line);
      for (const waiter of waiters.filter((w) => line.includes(w.text))) waiter.resolve(line);
    });
  }
  const exited = once(child, 'exit').then(([code, signal]) => ({ code, signal }));
  return {
    child,
    output,
    line: (text) => {
      const seen = output.find((line) => line.includes(text));
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        waiters.push({ text, resolve });
        void exited.then(() => reject(new Error(`exited before printing "${text}"; printed:\n${output.join('\n')}`)));
      });
    },
    exit: () => exited,
  };
}
