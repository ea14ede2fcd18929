// What retry-kit's connectOrExit does for AMQP, for the stream protocol (the
// kit speaks AMQP only): the URL from the environment, one line instead of a
// stack trace when nothing answers, and a clean close on Ctrl+C.
import amqp from 'amqplib';
import { type Client, connect, Offset } from 'rabbitmq-stream-js-client';
import { redactUrl } from 'retry-kit/tooling';

/** rabbitmq-stream-js-client starts every connection with a command RabbitMQ 3.10 does not know. */
export const STREAMS_NEED = [3, 11] as const;

/** What every program of the step, and `start`, says on a broker older than {@link STREAMS_NEED}. */
export function tooOldLine(version: string): string {
  return `[streams] This step needs RabbitMQ ${STREAMS_NEED.join('.')} or newer (its stream client does); the broker is ${version}. Docker users: docker compose up -d runs 4.1.`;
}

/**
 * The broker's version, asked over AMQP (AMQP_URL), when it is older than
 * {@link STREAMS_NEED}; undefined when it is new enough or cannot be asked
 * (then the stream connection says what is wrong).
 */
export async function tooOldForStreams(
  amqpUrl = process.env.AMQP_URL ?? 'amqp://localhost',
): Promise<string | undefined> {
  let version: string;
  try {
    const connection = await amqp.connect(amqpUrl);
    version = String(connection.connection.serverProperties.version);
    await connection.close();
  } catch {
    return undefined;
  }
  const [major = 0, minor = 0] = version.split('.').map(Number);
  const [needMajor, needMinor] = STREAMS_NEED;
  return major < needMajor || (major === needMajor && minor < needMinor) ? version : undefined;
}

/** RABBITMQ_STREAM_URL, or AMQP_URL's host, user and vhost on the stream port, 5552. */
export function streamUrl(env: NodeJS.ProcessEnv = process.env): URL {
  if (env.RABBITMQ_STREAM_URL) return new URL(env.RABBITMQ_STREAM_URL);
  const amqpUrl = new URL(env.AMQP_URL ?? 'amqp://localhost');
  const url = new URL(`rabbitmq-stream://${amqpUrl.hostname}:5552`);
  url.username = amqpUrl.username;
  url.password = amqpUrl.password;
  url.pathname = amqpUrl.pathname;
  return url;
}

/** Connects to the stream port, or prints why not (nothing there, a login refused, a broker too old) in one line and exits 1. */
export async function connectToStreams(): Promise<Client> {
  const url = streamUrl();
  const old = await tooOldForStreams();
  if (old) {
    console.error(tooOldLine(old));
    process.exit(1);
  }
  const username = decodeURIComponent(url.username) || 'guest';
  // The client logs in inside a socket listener, so a refused login is an
  // unhandled rejection (a stack trace) rather than connect's: take it as connect's.
  let refused!: (reason: unknown) => void;
  const loginRefused = new Promise<never>((_, reject) => {
    refused = reject;
  });
  process.on('unhandledRejection', refused);
  try {
    return await Promise.race([
      connect({
        hostname: url.hostname,
        port: Number(url.port || 5552),
        username,
        password: decodeURIComponent(url.password) || 'guest',
        vhost: decodeURIComponent(url.pathname.slice(1)) || '/',
      }),
      loginRefused,
    ]);
  } catch (error) {
    const said = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    const where = redactUrl(String(url));
    console.error(
      /Authenticate/.test(said)
        ? `[streams] RabbitMQ at ${where} refused user "${username}": wrong user name or password. Check RABBITMQ_STREAM_URL.`
        : `[streams] Nothing answers for streams at ${where} (${said}). Is RabbitMQ running, with the stream plugin (rabbitmq-plugins enable rabbitmq_stream)? Check RABBITMQ_STREAM_URL. Start one with: pnpm broker`,
    );
    process.exit(1);
  } finally {
    process.off('unhandledRejection', refused);
  }
}

/** Closes the client on Ctrl+C or SIGTERM, after `before` (store an offset, say), and exits 0. */
export function closeOnSignals(client: Client, before: () => Promise<void> = async () => {}): void {
  const close = async () => {
    await before();
    await client.close();
    process.exit(0);
  };
  process.once('SIGINT', close);
  process.once('SIGTERM', close);
}

/** Where a reader starts: first, last, next, an offset (a number) or a time (ISO 8601). */
export function offsetFrom(text: string): Offset | undefined {
  if (text === 'first') return Offset.first();
  if (text === 'last') return Offset.last();
  if (text === 'next') return Offset.next();
  if (/^\d+$/.test(text)) return Offset.offset(BigInt(text));
  const time = new Date(text);
  return /^\d{4}-\d\d-\d\d/.test(text) && !Number.isNaN(time.getTime()) ? Offset.timestamp(time) : undefined;
}
