export type { BreakerEvent, BreakerOptions, BreakerState } from './breaker.js';
export type {
  ClientEvents,
  CloseOptions,
  ConnectOptions,
  RabbitClient,
  RecoveryOptions,
  TlsOptions,
} from './client.js';
export { connect } from './connect.js';
export type { ConsumeOptions, Consumer } from './consumer.js';
export type { DelayLadderOptions } from './delays/delay-ladder.js';
export type { DelayOptions } from './delays/delay-options.js';
export type { DelayQueuesOptions } from './delays/delay-queues.js';
export type { Delivery } from './delivery.js';
export type { ConnectFailure, RetryKitErrorCode } from './errors.js';
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
export type { DeadLetteredEvent, Handler, HandlersByType, RetryScheduledEvent } from './handling.js';
export type { Logger } from './logger.js';
export { consoleLogger, quietLogger, silentLogger } from './logger.js';
export type { ChannelSetup, ManagedChannel, SetupChannelOptions } from './managed-channel.js';
export type { PublishOptions, SendOptions } from './publisher.js';
export type { Backoff, Jitter } from './retry/backoff.js';
export type { DeadLetterReason } from './retry/headers.js';
export type { FailedAttempt, RetryPolicy } from './retry/policy.js';
export type { ConnectOrExitOptions } from './script.js';
export { connectOrExit } from './script.js';
export type { Closeable, CloseOnSignalsOptions } from './shutdown.js';
export { closeOnSignals } from './shutdown.js';
export type {
  AttemptEnd,
  AttemptFacts,
  AttemptOutcome,
  AttemptTrace,
  PublishFacts,
  PublishKind,
  PublishTrace,
  Telemetry,
} from './telemetry.js';
export type { BindingSpec, ExchangeSpec, QueueSpec, Topology } from './topology.js';
