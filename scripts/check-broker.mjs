// Run under `test-broker run`: connects to the broker it was handed, with
// publisher confirms, sends one message through a queue and reads it back.
import { createRequire } from 'node:module';

const require = createRequire(new URL('../packages/test-broker/package.json', import.meta.url));
const amqp = require('amqplib');
const { amqpUrl, kind } = JSON.parse(process.env.TEST_BROKER);
const connection = await amqp.connect(amqpUrl);
const channel = await connection.createConfirmChannel();
const { queue } = await channel.assertQueue('', { exclusive: true });
await new Promise((resolve, reject) =>
  channel.sendToQueue(queue, Buffer.from('hello'), {}, (error) => (error ? reject(error) : resolve())),
);
const message = await channel.get(queue, { noAck: true });
await connection.close();
if (message?.content.toString() !== 'hello') throw new Error('the message did not come back');
console.log(`--- a ${kind} broker took a confirmed message and gave it back`);
