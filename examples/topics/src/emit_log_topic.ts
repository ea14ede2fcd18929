// Sends one log line to the exchange "topic_logs", under a routing key of
// dot-separated words: <facility>.<severity>, say.
// Run: pnpm --filter topics emit_log_topic kern.critical "A critical kernel error"
import { connectOrExit } from 'retry-kit';

const exchange = 'topic_logs';
const [key = 'anonymous.info', ...words] = process.argv.slice(2);
const text = words.join(' ') || 'Hello World!';

const rabbit = await connectOrExit({ hint: 'Start one with: pnpm broker', rabbitmqctl: 'pnpm rabbitmqctl' });
const { channel } = await rabbit.setupChannel(
  async (channel) => {
    // Topic: a copy to each queue with a binding pattern the key matches.
    await channel.assertExchange(exchange, 'topic', { durable: false });
  },
  { confirm: true },
);

channel.publish(exchange, key, Buffer.from(text));
await channel.waitForConfirms();
console.log(` [x] Sent ${key}: '${text}'`);

await rabbit.close();
