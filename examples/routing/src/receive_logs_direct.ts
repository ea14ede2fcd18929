// Prints the log lines of the severities given, as they come, until Ctrl+C.
// Run: pnpm --filter routing receive_logs_direct warning error
import { connectOrExit } from 'retry-kit';

const exchange = 'direct_logs';
const severities = process.argv.slice(2);
if (severities.length === 0) {
  console.error('Usage: receive_logs_direct [info] [warning] [error]');
  process.exit(1);
}

const rabbit = await connectOrExit({ hint: 'Start one with: pnpm broker', rabbitmqctl: 'pnpm rabbitmqctl' });
await rabbit.setupChannel(async (channel) => {
  await channel.assertExchange(exchange, 'direct', { durable: false });
  const { queue } = await channel.assertQueue('', { exclusive: true });
  // One binding per severity: a queue may have many, and a key many queues.
  for (const severity of severities) await channel.bindQueue(queue, exchange, severity);
  console.log(' [*] Waiting for logs. To exit press CTRL+C');
  await channel.consume(
    queue,
    (message) => {
      if (message) console.log(` [x] ${message.fields.routingKey}: '${message.content.toString()}'`);
    },
    { noAck: true },
  );
});
