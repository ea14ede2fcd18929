// pnpm --filter hello-world start: both programs of this step in one run,
// as child processes, exactly as you would run them in two terminals.
import { setTimeout as sleep } from 'node:timers/promises';
import { startProgram } from 'step-demo';

const program = (name: string, args: string[] = []) =>
  startProgram(new URL(`./${name}.ts`, import.meta.url), args, name);

const receive = program('receive');
await receive.printed('Waiting for messages');

// receive's line waits for send's, so they read in order.
receive.hold();
const received = receive.printed('Received');
const send = program('send', ['Hello World!']);
const sendCode = await send.exited;
// Another receive running elsewhere takes every other message from "hello".
const arrived = await Promise.race([received.then(() => true), sleep(10_000, false, { ref: false })]);
receive.release();
if (!arrived) {
  console.log('\nreceive got nothing in 10 s: is another receive running? (pnpm rabbitmqctl list_consumers)');
}

receive.stop();
const receiveCode = await receive.exited;
console.log(
  `\nsend exited ${sendCode} once the broker confirmed the message; receive exited ${receiveCode} on Ctrl+C (SIGINT).`,
);
process.exitCode = arrived && sendCode === 0 && receiveCode === 0 ? 0 : 1;
