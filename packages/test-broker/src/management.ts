import { redactUrl } from 'retry-kit/tooling';

export interface QueueInfo {
  name: string;
  vhost: string;
  durable: boolean;
  type?: string;
  messages?: number;
  messages_ready?: number;
  messages_unacknowledged?: number;
  consumers?: number;
  arguments: Record<string, unknown>;
}

export interface ConnectionInfo {
  name: string;
  vhost: string;
  user: string;
  peer_host?: string;
  peer_port?: number;
  client_properties?: Record<string, unknown>;
}

/** A small client for the RabbitMQ management HTTP API. */
export class ManagementClient {
  readonly #base: string;
  readonly #authorization: string;

  constructor(baseUrl: string, username: string, password: string) {
    this.#base = baseUrl.replace(/\/$/, '');
    this.#authorization = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
  }

  async request<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<T> {
    const url = `${this.#base}/api${path}`;
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: { authorization: this.#authorization, 'content-type': 'application/json', ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      throw new Error(`Management API unreachable at ${redactUrl(this.#base)}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    if (!response.ok) {
      const text = await response.text();
      throw new Error(`Management API ${method} ${path} answered ${response.status}: ${text.slice(0, 300)}`);
    }
    const text = await response.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }

  overview(): Promise<{ rabbitmq_version: string; node: string }> {
    return this.request('GET', '/overview');
  }

  async createVhost(vhost: string, username: string): Promise<void> {
    await this.request('PUT', `/vhosts/${encodeURIComponent(vhost)}`, {});
    await this.request('PUT', `/permissions/${encodeURIComponent(vhost)}/${encodeURIComponent(username)}`, {
      configure: '.*',
      write: '.*',
      read: '.*',
    });
  }

  async deleteVhost(vhost: string): Promise<void> {
    await this.request('DELETE', `/vhosts/${encodeURIComponent(vhost)}`);
  }

  listQueues(vhost: string): Promise<QueueInfo[]> {
    return this.request('GET', `/queues/${encodeURIComponent(vhost)}`);
  }

  getQueue(vhost: string, queue: string): Promise<QueueInfo> {
    return this.request('GET', `/queues/${encodeURIComponent(vhost)}/${encodeURIComponent(queue)}`);
  }

  listConnections(vhost?: string): Promise<ConnectionInfo[]> {
    return this.request('GET', vhost ? `/vhosts/${encodeURIComponent(vhost)}/connections` : '/connections');
  }

  async closeConnection(name: string, reason = 'closed by test'): Promise<void> {
    await this.request('DELETE', `/connections/${encodeURIComponent(name)}`, undefined, { 'x-reason': reason }).catch(
      (error: Error) => {
        // The connection may have gone on its own between listing and closing.
        if (!/ 404:/.test(error.message)) throw error;
      },
    );
  }
}
