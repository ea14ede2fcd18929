// A program run as a child process, and the lines it prints: the one place
// the repo spawns the steps' programs, for the `start` demos (program.ts)
// and for the tests (test-broker's runProgram, which also kills them).
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

export interface SpawnOptions {
  /** Added to this process's environment. */
  env?: Record<string, string | undefined>;
  /** `pipe` reads stderr's lines too; `inherit` leaves them to this process's stderr. @default 'pipe' */
  stderr?: 'pipe' | 'inherit';
  /** Called with each line as it arrives, before anything waiting for that line hears of it. */
  onLine?: (line: string) => void;
  /** Who it is, in messages. @default the command's file name */
  name?: string;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface SpawnedProgram {
  readonly child: ChildProcess;
  /** Every line printed so far, in order. */
  readonly lines: string[];
  /** Resolves with the first line containing `text`, printed before or after the call; rejects if it exits first. */
  printed(text: string): Promise<string>;
  /** Resolves with the next line printed after the call; rejects if it exits first. */
  nextLine(): Promise<string>;
  readonly exited: Promise<Exit>;
}

/** Runs `command` with `args` and reads its lines (stdin is closed). */
export function spawnLines(command: string, args: string[], options: SpawnOptions = {}): SpawnedProgram {
  const { env = {}, stderr = 'pipe', onLine, name = path.basename(command) } = options;
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', stderr] });
  const lines: string[] = [];
  const waiting: { text: string; resolve: (line: string) => void }[] = [];
  let next: ((line: string) => void)[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    if (!stream) continue;
    readline.createInterface({ input: stream }).on('line', (line) => {
      lines.push(line);
      onLine?.(line);
      for (const wait of waiting.filter((w) => line.includes(w.text))) wait.resolve(line);
      const nextWaiting = next;
      next = [];
      for (const resolve of nextWaiting) resolve(line);
    });
  }
  const exited = once(child, 'exit').then(([code, signal]) => ({ code, signal }) as Exit);
  const gone = (what: string) =>
    exited.then(({ code, signal }) => {
      const printed = lines.length ? `; it printed:\n${lines.join('\n')}` : '; it printed nothing';
      throw new Error(`${name} exited (${signal ?? `code ${code}`}) before printing ${what}${printed}`);
    });
  return {
    child,
    lines,
    printed: (text) => {
      const seen = lines.find((line) => line.includes(text));
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        waiting.push({ text, resolve });
        gone(`"${text}"`).catch(reject);
      });
    },
    nextLine: () =>
      new Promise((resolve, reject) => {
        next.push(resolve);
        gone('another line').catch(reject);
      }),
    exited,
  };
}

/** {@link spawnLines} for a TypeScript program, run as a reader runs it: `node --import tsx <file>`. */
export function spawnTypeScript(file: string | URL, args: string[], options: SpawnOptions = {}): SpawnedProgram {
  const script = typeof file === 'string' ? file : fileURLToPath(file);
  return spawnLines(process.execPath, ['--import', 'tsx', script, ...args], {
    name: path.basename(script, '.ts'),
    ...options,
  });
}
