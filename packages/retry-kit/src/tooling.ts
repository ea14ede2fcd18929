/**
 * The entry for tools that work on the kit's queues from outside a consumer:
 * the kit's own CLI (`retry-kit inspect`, `dead`, `topology`) and the test
 * harness. It names what those tools must agree on with the kit (header
 * names, dead-letter queues, reasons, the delay topology, URL handling) so
 * each has one home. Applications use the main entry, `retry-kit`.
 */
export { classifyConnectError } from './broker-errors.js';
export type { DelayOptions } from './delays/delay-options.js';
export type { ManagementApiOptions, QueueInfo } from './management-api.js';
export { ManagementApi, ManagementApiError, resolveManagementApi } from './management-api.js';
export { deadLetterQueueOf } from './retry/failure-routes.js';
export type { DeadLetterReason } from './retry/headers.js';
export { DEAD_LETTER_REASONS, HEADERS } from './retry/headers.js';
export { retryTopology } from './retry/retry-topology.js';
export { queueArguments } from './topology.js';
export { parseUrl, redactText, redactUrl, resolveUrls } from './url.js';
