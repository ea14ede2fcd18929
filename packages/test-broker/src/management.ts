import { ManagementApi, ManagementApiError, type QueueInfo } from 'retry-kit/tooling';

export type { QueueInfo };

export interface ConnectionInfo {
  name: string;
  vhost: string;
  user: string;
  peer_host?: string;
  peer_port?: number;
  client_properties?: Record<string, unknown>;
}

/**
 * The kit's management API client (requests, credentials, one-line errors),
 * with what the tests need besides: a vhost per test file, a queue by name,
 * connections to list and close.
 */
export class ManagementClient extends ManagementApi {
  constructor(baseUrl: string, username: string, password: string) {
    // Deleting a vhost with many queues takes a while on a busy machine.
    super({ url: baseUrl, username, password, timeoutMs: 60_000 });
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

  getQueue(vhost: string, queue: string): Promise<QueueInfo> {
    return this.request('GET', `/queues/${encodeURIComponent(vhost)}/${encodeURIComponent(queue)}`);
  }

  listConnections(vhost?: string): Promise<ConnectionInfo[]> {
    return this.request('GET', vhost ? `/vhosts/${encodeURIComponent(vhost)}/connections` : '/connections');
  }

  async closeConnection(name: string, reason = 'closed by test'): Promise<void> {
    await this.request('DELETE', `/connections/${encodeURIComponent(name)}`, undefined, { 'x-reason': reason }).catch(
      (error: unknown) => {
        // The connection may have gone on its own between listing and closing.
        if (!(error instanceof ManagementApiError && error.status === 404)) throw error;
      },
    );
  }
}
