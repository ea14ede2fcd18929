import { readFileSync } from 'node:fs';
import { withVhost } from 'test-broker';
import { useTestVhost } from 'test-broker/vitest';
import { describe, expect, it } from 'vitest';
import { ConnectError, connect, type TlsOptions } from '../src/index.js';
import { connectTo, deferred, recordingLogger } from './helpers.js';

const broker = await useTestVhost('connect');
const password = broker.handle.password;
const quiet = { logger: recordingLogger() };

function withPassword(url: string, newPassword: string): string {
  const parsed = new URL(url);
  parsed.password = newPassword;
  return parsed.toString();
}

async function connectError(url: string | string[], tls?: TlsOptions): Promise<ConnectError> {
  const error = await connect({ url, ...(tls ? { tls } : {}), ...quiet }).then(
    (client) => client.close().then(() => new Error('connected')),
    (failure: unknown) => failure,
  );
  expect(error).toBeInstanceOf(ConnectError);
  return error as ConnectError;
}

describe('connecting', () => {
  it('a malformed URL fails with BAD_URL', async () => {
    const error = await connectError('localhost:5672');
    expect(error.code).toBe('BAD_URL');
  });

  it('nothing listening fails with CONNECTION_REFUSED, naming the URL without its password', async () => {
    const error = await connectError('amqp://someone:topsecret@127.0.0.1:1');
    expect(error.code).toBe('CONNECTION_REFUSED');
    expect(error.message).toBe(
      'Nothing answers at amqp://someone:***@127.0.0.1:1 (ECONNREFUSED). Is RabbitMQ running there? Check AMQP_URL.',
    );
  });

  it('a wrong password fails at once with ACCESS_REFUSED and never shows the password', async () => {
    const error = await connectError(withPassword(broker.amqpUrl, 'wrong-pass-123'));
    expect(error.code).toBe('ACCESS_REFUSED');
    expect(error.message).toMatch(/refused user "harness"|refused user/);
    expect(error.message).not.toContain('wrong-pass-123');
  });

  it('an unknown vhost fails at once with VHOST_NOT_FOUND naming it', async () => {
    const error = await connectError(withVhost(broker.amqpUrl, 'no-such-vhost'));
    expect(error.code).toBe('VHOST_NOT_FOUND');
    expect(error.message).toContain('"no-such-vhost"');
    expect(error.message).not.toContain(password);
  });

  it('tries the next URL of a cluster when one node does not answer', async () => {
    const client = await connect({ url: ['amqp://127.0.0.1:1', broker.amqpUrl], ...quiet });
    expect(client.connected).toBe(true);
    await client.close();
  });

  it.skipIf(!broker.faults)(
    'reports a drop and the reconnect as events and log lines, without the password',
    async () => {
      const logger = recordingLogger();
      const rabbit = await connectTo(broker, { logger });
      const disconnected = deferred<{ reason: string }>();
      const reconnected = deferred<{ url: string }>();
      rabbit.once('disconnected', disconnected.resolve);
      rabbit.once('disconnected', () => rabbit.once('connected', reconnected.resolve));

      await broker.faults?.closeAllConnections(broker.vhost);

      expect((await disconnected.promise).reason).toMatch(/CONNECTION_FORCED/);
      expect((await reconnected.promise).url).toContain(':***@');
      expect(logger.lines.some((line) => line.startsWith('warn disconnected from'))).toBe(true);
      expect(logger.lines.filter((line) => line.includes(password))).toEqual([]);
    },
  );
});

const tls = broker.handle.tls;

describe.skipIf(!tls || !broker.amqpsUrl)('connecting over TLS', () => {
  const ca = tls ? [readFileSync(tls.caFile)] : [];

  it('connects with the CA and a client certificate (mutual TLS), and messages flow', async () => {
    const queue = broker.name('tls');
    const client = await connect({
      url: broker.amqpsUrl,
      tls: { ca, cert: readFileSync(tls!.clientCertFile), key: readFileSync(tls!.clientKeyFile) },
      ...quiet,
    });
    await client.declare({ queues: [{ name: queue }] });
    await client.sendToQueue(queue, { over: 'tls' });
    await client.close();
    expect((await broker.management.getQueue(broker.vhost, queue)).name).toBe(queue);
  });

  it('is refused by a broker that requires a client certificate when it shows none', async () => {
    const error = await connectError(broker.amqpsUrl ?? '', { ca });
    expect(error.code).toBe('TLS');
    expect(error.message).not.toContain(password);
  });

  it('refuses a server whose certificate it cannot verify, with a TLS error', async () => {
    const error = await connectError(broker.amqpsUrl ?? '');
    expect(error.code).toBe('TLS');
    expect(error.message).not.toContain(password);
  });
});
