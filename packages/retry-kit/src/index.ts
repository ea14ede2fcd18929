export type {
  ClientEvents,
  CloseOptions,
  ConnectOptions,
  DelayOptions,
  RecoveryOptions,
  TlsOptions,
} from './client.js';
export { RabbitClient } from './client.js';
export { DecodeError } from './codec.js';
export { connect } from './connect.js';
export type { ConsumeOptions, Delivery, Handler, HandlersByType } from './consumer.js';
export { Consumer } from './consumer.js';
export type { DelayLadderOptions } from './delays/delay-ladder.js';
export { DelayLadder } from './delays/delay-ladder.js';
export type { DelayQueuesOptions } from './delays/delay-queues.js';
export { DelayQueues } from './delays/delay-queues.js';
export type { DelayRoute, DelayTopology } from './delays/delay-topology.js';
export type { RetryKitErrorCode } from './errors.js';
export {
  ClosedError,
  ConnectError,
  ExchangeNotFoundError,
  PermanentError,
  PublishNackedError,
  QueueFullError,
  RetryKitError,
  TimeoutError,
  TopologyConflictError,
  UnroutableError,
} from './errors.js';
export type { DeadLetteredEvent, RetryScheduledEvent } from './handling.js';
export type { Logger } from './logger.js';
export { consoleLogger, quietLogger, silentLogger } from './logger.js';
export type { ChannelSetup, ManagedChannel, SetupChannelOptions } from './managed-channel.js';
export type { PublishOptions } from './publisher.js';
export type { Backoff, Jitter } from './retry/backoff.js';
export { applyJitter, baseDelay, quantiseDelay } from './retry/backoff.js';
export { HEADERS } from './retry/headers.js';
export type { DeadLetterReason, FailedAttempt, RetryPolicy } from './retry/policy.js';
export { nextDelay } from './retry/policy.js';
export type { ConnectOrExitOptions } from './script.js';
export { connectOrExit } from './script.js';
export type { Closeable, CloseOnSignalsOptions } from './shutdown.js';
export { closeOnSignals } from './shutdown.js';
export type { BindingSpec, ExchangeSpec, QueueSpec, Topology } from './topology.js';
export { DEFAULT_URL, redactUrl } from './url.js';
