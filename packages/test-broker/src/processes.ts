// Looking at other processes by pid: whether one still runs, and what it started.
import { execFileSync } from 'node:child_process';

/** True while a process with this pid exists (EPERM: it does, owned by another user). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Every running process's pid, parent pid and command line, by `ps` (Linux and macOS alike). */
function allProcesses(): { pid: number; parent: number; args: string }[] {
  return execFileSync('ps', ['-A', '-o', 'pid=', '-o', 'ppid=', '-o', 'args='], { encoding: 'utf8' })
    .split('\n')
    .map((line) => /^\s*(\d+)\s+(\d+)\s(.*)$/.exec(line))
    .filter((match) => match !== null)
    .map(([, pid, parent, args]) => ({ pid: Number(pid), parent: Number(parent), args: args?.trim() ?? '' }));
}

/** The processes `pid` started, with their command lines. */
export function childProcesses(pid: number): { pid: number; args: string }[] {
  return allProcesses()
    .filter((entry) => entry.parent === pid)
    .map(({ pid: child, args }) => ({ pid: child, args }));
}

/** `pid` and every process below it, parents before their children. */
export function processTree(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const { pid: child, parent } of allProcesses()) children.set(parent, [...(children.get(parent) ?? []), child]);
  const tree = [pid];
  for (let i = 0; i < tree.length; i++) tree.push(...(children.get(tree[i] as number) ?? []));
  return tree;
}
