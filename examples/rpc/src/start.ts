// pnpm --filter rpc start: two servers share five requests made at once by
// one client (one of them not a number), then the servers stop and a request
// gets its timeout.
import { startProgram } from 'step-demo';

const server = (name: string) =>
  startProgram(new URL('./rpc_server.ts', import.meta.url), [], name, { env: { RPC_WORK_MS: '200' } });
const client = (numbers: string[], timeoutMs: string) =>
  startProgram(new URL('./rpc_client.ts', import.meta.url), numbers, 'rpc_client', {
    env: { RPC_TIMEOUT_MS: timeoutMs },
  });

const servers = [server('rpc_server A'), server('rpc_server B')];
for (const started of servers) await started.printed('Awaiting RPC requests');

const first = await client(['30', '10', 'ten', '90', '5'], '5000').exited;
console.log(`\nrpc_client exited ${first}: four answers and one error reply ('ten' is not a number).\n`);

for (const started of servers) started.stop();
const stopped = await Promise.all(servers.map((started) => started.exited));
const second = await client(['7'], '1000').exited;
console.log(`\nWith no server running, rpc_client gave up after 1 s and exited ${second}.`);

// The demo succeeds when each part did what it shows.
process.exitCode = first === 1 && second === 1 && stopped.every((code) => code === 0) ? 0 : 1;
