import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** Pids whose process group is `pgid`, read from /proc (Linux). */
export function processGroupMembers(pgid: number): number[] {
  const members: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Fields after the ")" closing the command name: state, ppid, pgrp, ...
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) === pgid) members.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return members;
}

export function isRunning(pid: number): boolean {
  try {
    const state = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) Z/.test(state);
  } catch {
    return false;
  }
}

function socketInodes(pid: number): Set<string> {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (match?.[1]) inodes.add(match[1]);
    } catch {
      // fd closed meanwhile
    }
  }
  return inodes;
}

function decodeAddress(hex: string): string {
  const [ip = '', port = ''] = hex.split(':');
  const portNumber = Number.parseInt(port, 16);
  if (ip.length === 8) {
    const bytes = ip.match(/../g)?.map((b) => Number.parseInt(b, 16)) ?? [];
    return `${bytes.reverse().join('.')}:${portNumber}`;
  }
  // IPv6: four 32-bit words, each little-endian.
  const words = ip.match(/.{8}/g)?.map((word) => word.match(/../g)?.reverse().join('') ?? '') ?? [];
  const groups = words.join('').match(/.{4}/g)?.join(':') ?? '';
  return `${new URL(`http://[${groups}]`).hostname}:${portNumber}`;
}

/** Local addresses of the TCP sockets that `pids` listen on. */
export function listeningAddresses(pids: number[]): string[] {
  const inodes = new Set(pids.flatMap((pid) => [...socketInodes(pid)]));
  const addresses: string[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(table, 'utf8').trim().split('\n').slice(1)) {
      const columns = line.trim().split(/\s+/);
      const [, local = '', , state, , , , , , inode = ''] = columns;
      if (state === '0A' && inodes.has(inode)) addresses.push(decodeAddress(local));
    }
  }
  return addresses;
}
