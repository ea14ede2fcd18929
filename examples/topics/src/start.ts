// pnpm --filter topics start: four receivers with different patterns, and
// logs under keys of one, two and three words: which reached whom.
import { runLogDemo } from 'step-demo';

await runLogDemo({
  exchange: 'topic_logs',
  emitter: new URL('./emit_log_topic.ts', import.meta.url),
  receiver: new URL('./receive_logs_topic.ts', import.meta.url),
  receivers: [
    { name: 'receiver kern.*', bindings: ['kern.*'] },
    { name: 'receiver kern.#', bindings: ['kern.#'] },
    { name: 'receiver *.critical', bindings: ['*.critical'] },
    { name: 'receiver #', bindings: ['#'] },
  ],
  logs: [
    ['kern.critical', 'out of memory'],
    ['kern.disk.full', 'no space left on /'],
    ['auth.critical', 'root login from afar'],
    ['auth.info', 'a user logged in'],
  ],
  printedAs: ([key, ...words]) => ` [x] ${key}: '${words.join(' ')}'`,
});
