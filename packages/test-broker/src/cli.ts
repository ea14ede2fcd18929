import { devBrokerCtl, runDevBroker } from './dev-broker.js';
import { ensureRabbitInstallation, provisionCachedInstallation } from './installation.js';
import { brokerSource } from './locate.js';
import { runWithBroker } from './run-with-broker.js';

const USAGE = `usage:
  test-broker run -- <command> [args...]   run a command with one broker for all of it (TEST_BROKER)
  test-broker run --if-none -- <command>   the same, but use a broker already on AMQP_URL or localhost:5672
  test-broker dev                          run a dev broker in the foreground (pnpm broker)
  test-broker ctl <args...>                rabbitmqctl against the dev broker (pnpm rabbitmqctl)
  test-broker probe                        print where tests would get a broker: env, container, local, provision or none
  test-broker installation                 print the rabbitmq-server local nodes start from (fetched first if there is none)
  test-broker provision                    fetch RabbitMQ into the per-user cache now (nothing to do once it is there)`;

const [verb, ...rest] = process.argv.slice(2);
try {
  if (verb === 'run') {
    const ifNone = rest[0] === '--if-none';
    const command = ifNone ? rest.slice(1) : rest;
    process.exitCode = await runWithBroker(command[0] === '--' ? command.slice(1) : command, { ifNone });
  } else if (verb === 'probe') {
    const source = await brokerSource();
    console.log(source);
    process.exitCode = source === 'none' ? 1 : 0;
  } else if (verb === 'installation') {
    console.log((await ensureRabbitInstallation()).serverPath);
  } else if (verb === 'provision') {
    console.log((await provisionCachedInstallation()).serverPath);
  } else if (verb === 'ctl') {
    process.stdout.write(await devBrokerCtl(rest));
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
