// CPU time of a process and the processes it started, from Linux's /proc:
// the shop's `start` and its roles, measured from outside them.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }));

/** `pid` and the processes it started (one level: `start`'s roles). */
function family(pid: number): number[] {
  // ps exits 1 when it finds none.
  const children = spawnSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' }).stdout;
  return [pid, ...children.split('\n').filter(Boolean).map(Number)];
}

/** Seconds of CPU (user and system) used so far by `pid` and the processes it started. */
export function familyCpuSeconds(pid: number): number {
  if (process.platform !== 'linux') throw new Error('the shop sweep reads /proc: it runs on Linux only');
  let ticks = 0;
  for (const member of family(pid)) {
    // The command name (field 2) may hold spaces; the fields after its ')' are fixed.
    const stat = readFileSync(`/proc/${member}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks += Number(fields[11]) + Number(fields[12]); // utime, stime
  }
  return ticks / ticksPerSecond;
}
