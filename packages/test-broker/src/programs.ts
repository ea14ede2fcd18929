import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { type Exit, type SpawnedProgram, spawnLines, spawnTypeScript } from 'step-demo';
import { processTree } from './processes.js';

export interface Program {
  child: ChildProcess;
  /** Every line printed so far, stdout and stderr. */
  output: string[];
  /** Resolves with the first line containing `text` (printed before or after the call). */
  line(text: string): Promise<string>;
  /** Resolves with the next line printed after the call (rejects if the program exits first). */
  nextLine(): Promise<string>;
  exit(): Promise<Exit>;
}

// Every program still running, with the test (or the file, outside a test)
// that started it, so none outlives its test, pass or fail: see stopPrograms.
const running = new Map<ChildProcess, string>();
let currentScope = 'file';

/** Programs started from now on belong to `scope` (a test's name), until the next call. */
export function enterProgramScope(scope: string): void {
  currentScope = scope;
}

/**
 * Kills (SIGKILL) every program of `scope` that is still running, or every
 * program when no scope is given, with whatever it started, and waits until
 * they are gone. The vitest setup calls it after each test and each file.
 */
export async function stopPrograms(scope?: string): Promise<void> {
  const left = [...running].filter(([, owner]) => scope === undefined || owner === scope).map(([child]) => child);
  await Promise.all(
    left.map((child) => {
      const gone = child.exitCode === null && child.signalCode === null ? once(child, 'exit') : undefined;
      for (const pid of processTree(child.pid!)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // It exited meanwhile.
        }
      }
      return gone;
    }),
  );
}

/**
 * Runs a TypeScript program as a reader would (through tsx), with `env` added
 * to the environment (AMQP_URL, usually), and collects what it prints. Under
 * the vitest setup it is killed, with anything it started, when the test that
 * started it ends (or its file, if started outside a test).
 */
export function runProgram(file: string | URL, args: string[], env: Record<string, string>): Program {
  return tracked(spawnTypeScript(file, args, { env }));
}

/** {@link runProgram} for any command: a Python program, say. */
export function runCommand(
  command: string,
  args: string[],
  env: Record<string, string | undefined>,
  name?: string,
): Program {
  return tracked(spawnLines(command, args, { env, name }));
}

function tracked(program: SpawnedProgram): Program {
  const { child } = program;
  running.set(child, currentScope);
  child.once('exit', () => running.delete(child));
  return {
    child,
    output: program.lines,
    line: program.printed,
    nextLine: program.nextLine,
    exit: () => program.exited,
  };
}
