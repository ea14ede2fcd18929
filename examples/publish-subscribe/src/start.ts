// pnpm --filter publish-subscribe start: a log emitted before anyone listens,
// then two receivers bound to "logs", and three logs that reach them both.
import { runLogDemo } from 'step-demo';

await runLogDemo({
  exchange: 'logs',
  emitter: new URL('./emit_log.ts', import.meta.url),
  receiver: new URL('./receive_logs.ts', import.meta.url),
  receivers: [
    { name: 'receive_logs A', bindings: [] },
    { name: 'receive_logs B', bindings: [] },
  ],
  before: ['info: nobody listens yet'],
  logs: [['info: the shop opened'], ['warning: paper is low'], ['error: the printer is jammed']],
  printedAs: (args) => ` [x] ${args.join(' ')}`,
});
