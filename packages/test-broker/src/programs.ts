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
  /** Resolves with the next line printed after the call (rejects if the program exits first). */
  nextLine(): Promise<string>;
  exit(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Runs a TypeScript program as a reader would (through tsx), with `env` added
 * to the environment (AMQP_URL, usually), and collects what it prints.
 */
export function runProgram(file: string | URL, args: string[], env: Record<string, string>): Program {
  const path = typeof file === 'string' ? file : fileURLToPath(file);
  const child = spawn(process.execPath, ['--import', 'tsx', path, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const waiters: { text: string; resolve: (line: string) => void }[] = [];
  let nextWaiters: ((line: string) => void)[] = [];
  for (const stream of [child.stdout!, child.stderr!]) {
    readline.createInterface({ input: stream }).on('line', (line) => {
      output.push(line);
      for (const waiter of waiters.filter((w) => line.includes(w.text))) waiter.resolve(line);
      const next = nextWaiters;
      nextWaiters = [];
      for (const resolve of next) resolve(line);
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
    nextLine: () =>
      new Promise((resolve, reject) => {
        nextWaiters.push(resolve);
        void exited.then(() => reject(new Error(`exited; printed:\n${output.join('\n')}`)));
      }),
    exit: () => exited,
  };
}
