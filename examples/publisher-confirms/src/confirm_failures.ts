// What a publisher must handle besides "confirmed": a nack, and a message no
// queue takes. (The third case, a connection lost with messages unconfirmed,
// is on the page and in the tests: it needs the broker to go away.)
// Run: pnpm --filter publisher-confirms confirm_failures
import { connectOrExit } from 'retry-kit';
import { type Outcome, publishAsynchronously } from './strategies.js';

const rabbit = await connectOrExit({ hint: 'Start one with: pnpm broker', rabbitmqctl: 'pnpm rabbitmqctl' });
const { channel } = await rabbit.setupChannel(async () => {}, { confirm: true });

const messages = (...texts: string[]) => texts.map((text) => ({ id: text, body: Buffer.from(text) }));
const show = (outcomes: Map<string, Outcome>) => [...outcomes].map(([id, outcome]) => `${id} ${outcome}`).join(', ');

// A queue that holds three messages and refuses more: the broker nacks the rest.
const { queue } = await channel.assertQueue('', {
  exclusive: true,
  arguments: { 'x-max-length': 3, 'x-overflow': 'reject-publish' },
});
const five = await publishAsynchronously(channel, '', queue, messages('m1', 'm2', 'm3', 'm4', 'm5'));
console.log(` [x] Five messages to a queue that holds three: ${show(five)}`);

// No queue is called "nowhere". Mandatory: the broker returns the message, then confirms it.
const returned = await publishAsynchronously(channel, '', 'nowhere', messages('hello'), { mandatory: true });
console.log(` [x] To a queue that does not exist, mandatory: ${show(returned)}`);
// Not mandatory: the broker drops it and confirms all the same.
const dropped = await publishAsynchronously(channel, '', 'nowhere', messages('hello'));
console.log(` [x] To a queue that does not exist, not mandatory: ${show(dropped)}, and dropped`);

await rabbit.close();
