import { runDevBroker } from './dev-broker.js';
import { brokerSource } from './locate.js';
import { runWithBroker } from './run-with-broker.js';

const USAGE = `usage:
  test-broker run -- <command> [args...]   run a command with one broker for all of it (TEST_BROKER)
  test-broker dev                          run a dev broker in the foreground (pnpm broker)
  test-broker probe                        print where tests would get a broker: env, container, local or none`;

const [verb, ...rest] = process.argv.slice(2);
try {
  if (verb === 'run') {
    process.exitCode = await runWithBroker(rest[0] === '--' ? rest.slice(1) : rest);
  } else if (verb === 'probe') {
    const source = await brokerSource();
    console.log(source);
    process.exitCode = source === 'none' ? 1 : 0;
  } else if (verb === 'dev') {
    await runDevBroker();
  } else {
    console.error(USAGE);
    process.exitCode = 2;
  }
} catch (error) {
  console.error(`[test-broker] ${(error as Error).message}`);
  process.exitCode = 1;
}
