// pnpm start: each example's own `start`, in the order the docs teach them.
import { spawnSync } from 'node:child_process';

const steps = [
  ['hello-world', 'send one message, receive it', 'start'],
  ['work-queues', 'share slow tasks between two workers', 'start'],
  ['publish-subscribe', 'broadcast each log to every receiver (fanout)', 'start'],
  ['routing', 'route logs by severity (direct)', 'start'],
  ['topics', 'route logs by patterns over their keys (topic)', 'start'],
  ['rpc', 'ask a server and wait for its reply', 'start'],
  ['publisher-confirms', 'publish reliably and fast: three ways to wait for confirms, measured', 'start'],
  ['streams', 'a log that readers replay, and offsets that survive a restart', 'start'],
  // The shop's own `start` serves until Ctrl+C; `demo` places three orders and stops.
  ['orders-store', 'an API that answers fast while three departments do the work', 'demo'],
  ['retry-backoff', 'why per-message TTL breaks retries, and the fix', 'start'],
];

for (const [index, [name, what, script]] of steps.entries()) {
  const page = String(index + 1).padStart(2, '0');
  console.log(`\n=== ${index + 1}. ${name}: ${what} (docs/${page}-${name}.md) ===\n`);
  const { status } = spawnSync('pnpm', ['--silent', '--filter', name, script], { stdio: 'inherit' });
  if (status !== 0) {
    console.error(`${name} failed (exit ${status}).`);
    process.exit(status ?? 1);
  }
}
console.log('\nAll steps ran. Next: read docs/README.md, and run the programs yourself in two terminals.');
