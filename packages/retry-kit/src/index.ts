export type { ClientEvents, CloseOptions, ConnectOptions, RecoveryOptions, TlsOptions } from './client.js';
export { connect, RabbitClient } from './client.js';
export { DecodeError } from './codec.js';
export type { ConsumeOptions, Delivery, Handler } from './consumer.js';
export { Consumer } from './consumer.js';
export type { RetryKitErrorCode } from './errors.js';
export {
  ClosedError,
  ConnectError,
  ExchangeNotFoundError,
  PublishNackedError,
  QueueFullError,
  RetryKitError,
  TimeoutError,
  TopologyConflictError,
  UnroutableError,
} from './errors.js';
export type { Logger } from './logger.js';
export { consoleLogger, silentLogger } from './logger.js';
export type { PublishOptions } from './publisher.js';
export type { Closeable, CloseOnSignalsOptions } from './shutdown.js';
export { closeOnSignals } from './shutdown.js';
export type { BindingSpec, ExchangeSpec, QueueSpec, Topology } from './topology.js';
export { DEFAULT_URL, redactUrl } from './url.js';
