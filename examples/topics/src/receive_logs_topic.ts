// Prints the log lines whose routing key matches one of the patterns given,
// until Ctrl+C. In a pattern, * stands for exactly one word, # for zero or more.
// Run: pnpm --filter topics receive_logs_topic "kern.*" "*.critical"
import { connectOrExit } from 'retry-kit';

const exchange = 'topic_logs';
const patterns = process.argv.slice(2);
if (patterns.length === 0) {
  console.error('Usage: receive_logs_topic <facility>.<severity>...   (e.g. "kern.*" "#")');
  process.exit(1);
}

const rabbit = await connectOrExit({ hint: 'Start one with: pnpm broker', rabbitmqctl: 'pnpm rabbitmqctl' });
await rabbit.setupChannel(async (channel) => {
  await channel.assertExchange(exchange, 'topic', { durable: false });
  const { queue } = await channel.assertQueue('', { exclusive: true });
  // "#" alone matches every key, like fanout; a pattern without * or # only
  // its own key, like direct.
  for (const pattern of patterns) await channel.bindQueue(queue, exchange, pattern);
  console.log(' [*] Waiting for logs. To exit press CTRL+C');
  await channel.consume(
    queue,
    (message) => {
      if (message) console.log(` [x] ${message.fields.routingKey}: '${message.content.toString()}'`);
    },
    { noAck: true },
  );
});
