// pnpm --filter routing start: one receiver bound to error alone, one to
// every severity, and a log of each severity: which reached whom.
import { runLogDemo } from 'step-demo';

await runLogDemo({
  exchange: 'direct_logs',
  emitter: new URL('./emit_log_direct.ts', import.meta.url),
  receiver: new URL('./receive_logs_direct.ts', import.meta.url),
  receivers: [
    { name: 'to disk', bindings: ['error'] },
    { name: 'to screen', bindings: ['info', 'warning', 'error'] },
  ],
  logs: [
    ['info', 'the shop opened'],
    ['warning', 'paper is low'],
    ['error', 'the printer is jammed'],
    ['debug', 'nobody binds debug'],
  ],
  printedAs: ([severity, ...words]) => ` [x] ${severity}: '${words.join(' ')}'`,
});
