// pnpm --filter hello-world start: both programs of this step in one run,
// as child processes, exactly as you would run them in two terminals.
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
await received;
receive.release();

receive.stop();
const receiveCode = await receive.exited;
console.log(
  `\nsend exited ${sendCode} once the broker confirmed the message; receive exited ${receiveCode} on Ctrl+C (SIGINT).`,
);
process.exitCode = sendCode === 0 && receiveCode === 0 ? 0 : 1;
