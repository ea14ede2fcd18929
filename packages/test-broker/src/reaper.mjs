// Runs the broker's processes and guarantees they die with the test run.
// Started detached by local-node.ts with a pipe on stdin: when that pipe
// closes (a clean stop, Ctrl+C, or the parent killed with SIGKILL), the broker
// and its epmd are stopped and, unless kept, the data directory is removed.
// A "start" line on stdin starts the broker again after it died (a test that
// killed it); the nodes of a cluster share one epmd, which only the first
// node's reaper runs (config.epmdPath unset for the others).
import { spawn } from 'node:child_process';
import { openSync, rmSync } from 'node:fs';
import net from 'node:net';
import readline from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';

const config = JSON.parse(process.argv[2]);
const report = (event) => process.stdout.write(`${JSON.stringify(event)}\n`);

// The terminal's Ctrl+C must not kill us before the broker is down.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => {});
process.stdout.on('error', () => {});

const output = openSync(config.outputFile, 'a');
const childEnv = { ...process.env, ...config.env };

// epmd in the foreground, as our child: if the node started it, it would
// daemonise and outlive everything.
const epmd = config.epmdPath
  ? spawn(config.epmdPath, ['-port', String(config.epmdPort), '-address', '127.0.0.1'], {
      env: childEnv,
      stdio: ['ignore', output, output],
      detached: true,
    })
  : undefined;

let server;
let serverExited = false;
let stopping = false;

async function portOpen(port) {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function killGroup(child, signal) {
  if (!child?.pid) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

async function waitForExit(child, ms) {
  if (child.exitCode !== null || child.signalCode !== null) return true;
  return Promise.race([new Promise((resolve) => child.once('exit', () => resolve(true))), sleep(ms).then(() => false)]);
}

async function shutdown() {
  if (stopping) return;
  stopping = true;
  if (server && !serverExited) {
    killGroup(server, 'SIGTERM');
    if (!(await waitForExit(server, config.stopTimeoutMs))) killGroup(server, 'SIGKILL');
    await waitForExit(server, 5_000);
  }
  if (epmd) {
    killGroup(epmd, 'SIGTERM');
    if (!(await waitForExit(epmd, 2_000))) killGroup(epmd, 'SIGKILL');
  }
  if (config.removeDir) rmSync(config.removeDir, { recursive: true, force: true });
  report({ event: 'stopped' });
  process.exit(0);
}

function startServer() {
  serverExited = false;
  server = spawn(config.serverPath, [], {
    env: childEnv,
    stdio: ['ignore', output, output],
    detached: true,
  });
  report({ event: 'started', serverPid: server.pid, epmdPid: epmd?.pid });
  server.on('exit', (code, signal) => {
    serverExited = true;
    if (!stopping) report({ event: 'exit', code, signal });
  });
}

readline.createInterface({ input: process.stdin }).on('line', (line) => {
  if (line === 'start' && serverExited && !stopping) startServer();
});
process.stdin.on('end', shutdown);
process.stdin.on('error', shutdown);

for (let i = 0; i < 100 && !(await portOpen(config.epmdPort)); i++) await sleep(50);

if (!stopping) startServer();
