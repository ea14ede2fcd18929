// pnpm start: each example's own `start`, in the order the docs teach them.
import { spawnSync } from 'node:child_process';

const steps = [
  ['hello-world', 'send one message, receive it'],
  ['work-queues', 'share slow tasks between two workers'],
  ['retry-backoff', 'why per-message TTL breaks retries, and the fix', '04'],
];

for (const [index, [name, what, page = `0${index + 1}`]] of steps.entries()) {
  console.log(`\n=== ${Number(page)}. ${name}: ${what} (docs/${page}-${name}.md) ===\n`);
  const { status } = spawnSync('pnpm', ['--silent', '--filter', name, 'start'], { stdio: 'inherit' });
  if (status !== 0) {
    console.error(`${name} failed (exit ${status}).`);
    process.exit(status ?? 1);
  }
}
console.log('\nAll steps ran. Next: read docs/README.md, and run the programs yourself in two terminals.');
