// A step's program, run as a reader runs it in a terminal of its own: its
// lines are shown prefixed with its name, so several read side by side.
import { type SpawnedProgram, spawnTypeScript } from './spawn-lines.js';

export interface StepProgram {
  /** Its name, as shown before its lines. */
  readonly name: string;
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
  /**
   * How its lines are shown: after its name (several programs side by side),
   * as they are (one program at a time), or not at all (the demo reads them).
   * @default 'prefixed'
   */
  show?: 'prefixed' | 'plain' | 'none';
  /** Called with each line as it arrives. */
  onLine?: (line: string) => void;
}

/** Runs `file` (a step's TypeScript program) with `args`; its stderr goes straight to the terminal. */
export function startProgram(file: URL, args: string[], name: string, options: StartOptions = {}): StepProgram {
  const { hide, env = {}, show = 'prefixed', onLine } = options;
  let held: string[] | undefined;
  const display = (line: string) => {
    if (show === 'prefixed') console.log(`${name.padStart(NAME_WIDTH)} | ${line}`);
    else if (show === 'plain') console.log(line);
  };
  const program: SpawnedProgram = spawnTypeScript(file, args, {
    name,
    env,
    stderr: 'inherit',
    onLine: (line) => {
      if (hide !== undefined && line.includes(hide)) {
        // bookkeeping
      } else if (held) held.push(line);
      else display(line);
      onLine?.(line);
    },
  });
  const { child } = program;
  // Should the demo die (Ctrl+C, an error), its programs go with it.
  const orphaned = () => child.kill();
  process.once('exit', orphaned);
  child.once('exit', () => process.off('exit', orphaned));
  return {
    name,
    lines: program.lines,
    printed: program.printed,
    hold: () => {
      held = [];
    },
    release: () => {
      for (const line of held ?? []) display(line);
      held = undefined;
    },
    stop: () => child.kill('SIGINT'),
    exited: program.exited.then(({ code }) => code ?? 1),
  };
}
