// CPU time of a process and the processes it started, from Linux's /proc:
// the shop's `start` and its roles, measured from outside them.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { processTree } from 'test-broker';

const ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }));

/** Seconds of CPU (user and system) used so far by `pid` and every process below it. */
export function familyCpuSeconds(pid: number): number {
  if (process.platform !== 'linux') throw new Error('the shop sweep reads /proc: it runs on Linux only');
  let ticks = 0;
  for (const member of processTree(pid)) {
    // The command name (field 2) may hold spaces; the fields after its ')' are fixed.
    const stat = readFileSync(`/proc/${member}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks += Number(fields[11]) + Number(fields[12]); // utime, stime
  }
  return ticks / ticksPerSecond;
}
