/**
 * Everything a test process needs to reach and control the broker. Plain data,
 * so it crosses process boundaries: vitest's provide/inject and the
 * TEST_BROKER variable that `test-broker run` hands to every package.
 */
export interface BrokerHandle {
  /** Where the broker came from, in the order they are tried. */
  kind: 'external' | 'container' | 'local';
  /** AMQP URL of the default vhost, credentials included. */
  amqpUrl: string;
  /** Management HTTP API base, without credentials. */
  managementUrl: string;
  username: string;
  password: string;
  /** Present when the broker also listens for AMQP over TLS. */
  tls?: TlsEndpoint;
  /** rabbitmq-stream:// URL of the default vhost, when the stream plugin listens. */
  streamUrl?: string;
  /** How to reach the node to inject faults; absent for a user's own broker. */
  control?: NodeControl;
}

export interface TlsEndpoint {
  /** amqps:// URL of the default vhost, credentials included. */
  amqpsUrl: string;
  caFile: string;
  /** A client certificate signed by the same CA, for mutual TLS. */
  clientCertFile: string;
  clientKeyFile: string;
}

export type NodeControl = LocalNodeControl | ContainerNodeControl;

export interface LocalNodeControl {
  kind: 'local';
  /** Path of `rabbitmqctl`. */
  ctlPath: string;
  nodename: string;
  /** Environment `rabbitmqctl` needs: HOME for the cookie, the epmd port. */
  env: Record<string, string>;
  amqpPort: number;
}

export interface ContainerNodeControl {
  kind: 'container';
  containerId: string;
}

export const HANDLE_ENV = 'TEST_BROKER';

export function handleFromEnv(env: NodeJS.ProcessEnv = process.env): BrokerHandle | undefined {
  const raw = env[HANDLE_ENV];
  return raw ? (JSON.parse(raw) as BrokerHandle) : undefined;
}

/** The broker URL with `vhost` as its path. */
export function withVhost(url: string, vhost: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(vhost)}`;
  return parsed.toString();
}
