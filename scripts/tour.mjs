// pnpm start: each example's own `start`, in the order the docs teach them.
import { spawnSync } from 'node:child_process';

const steps = [
  ['hello-world', 'send one message, receive it'],
  ['work-queues', 'share slow tasks between two workers'],
];

for (const [index, [name, what]] of steps.entries()) {
  console.log(`\n=== ${index + 1}. ${name}: ${what} (docs/0${index + 1}-${name}.md) ===\n`);
  const { status } = spawnSync('pnpm', ['--silent', '--filter', name, 'start'], { stdio: 'inherit' });
  if (status !== 0) {
    console.error(`${name} failed (exit ${status}).`);
    process.exit(status ?? 1);
  }
}
console.log('\nAll steps ran. Next: read docs/README.md, and run the programs yourself in two terminals.');
