// How `start` runs the slow parts of the shop (the departments, the stand-in
// sales system) beside the API: each a child process running the same script
// as when it runs alone, printing to the same terminal. A packing slip being
// drawn or a sales call being answered then never holds up a request.
import { fork } from 'node:child_process';
import { once } from 'node:events';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';

/** A nice value: higher runs later. 10 gives the API about nine tenths of a contested core. */
const ROLE_PRIORITY = 10;

export interface RoleProcess<Ready> {
  /** What the role sent its parent once ready (see {@link tellParent}). */
  ready: Ready;
  /** Asks the role to finish what it has in hand and stop, and waits until it has exited. */
  stop(): Promise<void>;
}

/**
 * Starts `script` (a `run-*.ts` beside this file) as a child process and
 * waits until it is ready. Rejects if it exits first: it has said why on the
 * terminal. A role that exits later, unasked, is logged and stops the shop:
 * a shop with a department missing would take orders it never finishes.
 */
export async function startRoleProcess<Ready>(
  script: string,
  args: string[],
  { env = {}, log }: { env?: Record<string, string>; log: Logger },
): Promise<RoleProcess<Ready>> {
  // Same node flags as this process (tsx's loader, and --cpu-prof when profiling).
  const child = fork(fileURLToPath(new URL(`./${script}.ts`, import.meta.url)), args, {
    env: { ...process.env, ...env },
  });
  // Below the API in the CPU's queue: on a machine they share, a request waiting
  // to be answered goes first, and the roles catch up in the time between.
  os.setPriority(child.pid!, ROLE_PRIORITY);
  let running = false;
  let stopping = false;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      if (running && !stopping) {
        log.error(`${script} ${args.join(' ')} exited (${signal ?? `code ${code}`}): stopping the shop`);
        process.exitCode = 1;
        process.kill(process.pid, 'SIGTERM');
      }
      resolve();
    }),
  );
  const ready = await Promise.race([
    once(child, 'message').then(([message]) => message as Ready),
    exited.then(() => {
      throw new Error(`${script} exited before it was ready`);
    }),
  ]);
  running = true;
  return {
    ready,
    async stop() {
      stopping = true;
      // The role stops when its channel to this process closes (see whenParentGoes).
      if (child.connected) child.disconnect();
      await exited;
    },
  };
}

/** Tells the parent process, if a role runs under `start`, that it is ready. */
export function tellParent(message: unknown): void {
  process.send?.(message);
}

/** Whether this process is a role `start` runs (see {@link startRoleProcess}). */
export const underStart = process.send !== undefined;

/**
 * Calls `stop` once the parent process (`start`) asks this role to stop, or
 * dies: a role never outlives the shop that started it. Ctrl+C reaches every
 * process of the terminal: the parent handles it, stopping the API before the
 * roles, so the roles ignore it.
 */
export function whenParentGoes(stop: () => void): void {
  if (!underStart) return;
  process.on('SIGINT', () => {});
  process.once('disconnect', stop);
}
