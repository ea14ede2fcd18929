// A step's program, run as a reader runs it in a terminal of its own: its
// lines are shown prefixed with its name, so several read side by side.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

export interface StepProgram {
  /** Every line printed so far. */
  readonly lines: string[];
  /** Resolves with the first line containing `text`, printed before or after the call. */
  printed(text: string): Promise<string>;
  /** Holds the program's lines back from the screen until `release`, so lines of several programs read in order. */
  hold(): void;
  release(): void;
  /** Ctrl+C. */
  stop(): void;
  /** The exit code. */
  readonly exited: Promise<number>;
}

/** Width of the name column: the longest program name of the steps. */
const NAME_WIDTH = 23;

export interface StartOptions {
  /** Lines containing this are kept in `lines` but not shown: the demo's own bookkeeping. */
  hide?: string;
  /** Added to the program's environment. */
  env?: Record<string, string>;
}

export function startProgram(file: URL, args: string[], name: string, options: StartOptions = {}): StepProgram {
  const { hide, env = {} } = options;
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(file), ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  // Should the demo die (Ctrl+C, an error), its programs go with it.
  const orphaned = () => child.kill();
  process.once('exit', orphaned);
  child.once('exit', () => process.off('exit', orphaned));
  const lines: string[] = [];
  const waiting: { text: string; resolve: (line: string) => void }[] = [];
  let held: string[] | undefined;
  const show = (line: string) => console.log(`${name.padStart(NAME_WIDTH)} | ${line}`);
  readline.createInterface({ input: child.stdout! }).on('line', (line) => {
    lines.push(line);
    if (hide !== undefined && line.includes(hide)) {
      // bookkeeping
    } else if (held) held.push(line);
    else show(line);
    for (const wait of waiting.filter((w) => line.includes(w.text))) wait.resolve(line);
  });
  const exited = once(child, 'exit').then(([code]) => (code as number | null) ?? 1);
  return {
    lines,
    printed: (text) => {
      const seen = lines.find((line) => line.includes(text));
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        waiting.push({ text, resolve });
        void exited.then(() => reject(new Error(`${name} exited before printing "${text}"`)));
      });
    },
    hold: () => {
      held = [];
    },
    release: () => {
      for (const line of held ?? []) show(line);
      held = undefined;
    },
    stop: () => child.kill('SIGINT'),
    exited,
  };
}
