import amqp, { type ChannelModel, type Options } from 'amqplib';
import { classifyConnectError } from './broker-errors.js';
import { ATTACH, type ConnectOptions, RabbitClient, SET_UP } from './client.js';
import type { ConnectError } from './errors.js';
import { consoleLogger } from './logger.js';
import { parseUrl, redactText, redactUrl, resolveUrls } from './url.js';

/**
 * Connects to RabbitMQ. Fails fast with one clear {@link ConnectError} when
 * the first connection cannot be made (bad URL, nothing listening, refused
 * credentials, unknown vhost, TLS); after that, reconnects with backoff.
 *
 * @example
 * const rabbit = await connect(); // AMQP_URL, else amqp://localhost
 * await rabbit.declare({ queues: [{ name: 'hello' }] });
 * await rabbit.sendToQueue('hello', { text: 'Hello World!' });
 */
export async function connect(options: ConnectOptions = {}): Promise<RabbitClient> {
  const urls = resolveUrls(options.url);
  const targets = urls.map(parseUrl);
  const logger = options.logger ?? consoleLogger;
  const client = new RabbitClient(logger, options);
  const redact = (text: string) => redactText(text, urls);

  // amqplib re-reads this object on every attempt: pointing it at the next
  // URL after a failure is how the kit walks a cluster's nodes.
  let index = 0;
  const target: Options.Connect = { ...targets[0] };
  const nextNode = () => {
    index = (index + 1) % targets.length;
    Object.assign(target, targets[index]);
  };
  const currentUrl = () => urls[index] ?? '';

  const recovery = options.recovery ?? {};
  const model = await amqp.connect(target, {
    // As RabbitMQ's own clients do: without it, a small write that follows
    // another (an ack, then a publish) can wait 40 ms for a delayed TCP ACK.
    noDelay: true,
    ...options.tls,
    clientProperties: { connection_name: options.connectionName ?? process.argv[1]?.split('/').pop() ?? 'retry-kit' },
    recovery: {
      initialDelay: recovery.initialDelay ?? 100,
      maxDelay: recovery.maxDelay ?? 10_000,
      factor: recovery.factor ?? 2,
      jitter: recovery.jitter ?? 0.2,
      maxRetries: recovery.maxRetries ?? Number.POSITIVE_INFINITY,
      initialMaxRetries: recovery.initialMaxRetries ?? urls.length - 1,
      waitForConnect: false,
      setup: (connection: ChannelModel) => client[SET_UP](connection),
    },
  });
  client[ATTACH](model);

  let lastError: ConnectError | undefined;
  let connectedOnce = false;
  model.on('connect', (connection: ChannelModel) => {
    connectedOnce = true;
    logger.info(`connected to ${redactUrl(currentUrl())}`);
    client.emit('connected', { url: redactUrl(currentUrl()) });
    connection.on('blocked', (reason: string) => {
      logger.warn(`the broker blocked publishing: ${reason}`);
      client.emit('blocked', { reason });
    });
    connection.on('unblocked', () => {
      logger.info('the broker unblocked publishing');
      client.emit('unblocked');
    });
  });
  model.on('connect-failed', (error: Error) => {
    const classified = classifyConnectError(error, currentUrl(), urls);
    lastError = classified.error;
    nextNode();
    // Before the first connection, connect() throws the error itself.
    if (!connectedOnce && classified.permanent) void model.close();
    else if (connectedOnce) logger.warn(classified.error.message);
  });
  model.on('disconnect', (error: Error) => {
    const reason = redact(error.message);
    logger.warn(`disconnected from ${redactUrl(currentUrl())}: ${reason}`);
    client.emit('disconnected', { reason });
    if (targets.length > 1) nextNode();
  });
  model.on('reconnect-scheduled', ({ attempt, delay, error }) => {
    client.emit('reconnecting', { attempt, delayMs: delay, reason: redact(error.message) });
  });
  model.on('reconnect-failed', (error: Error) => {
    const reason = redact(error.message);
    if (connectedOnce) logger.error(`gave up reconnecting: ${reason}`);
    client.emit('reconnect-failed', { reason });
  });
  model.on('error', (error: Error) => logger.warn(`connection error: ${redact(error.message)}`));

  try {
    await model.waitForConnect();
  } catch (error) {
    throw lastError ?? classifyConnectError(error, currentUrl(), urls).error;
  }
  return client;
}
