/**
 * The entry for tools that work on the kit's queues from outside a consumer:
 * the kit's own CLI (`retry-kit inspect`, `dead`, `topology`) and the test
 * harness. It names what those tools must agree on with the kit (header
 * names, dead-letter queues, defaults, the delay topology) so there is one
 * home for each. Applications use the main entry, `retry-kit`.
 */
export { classifyConnectError } from './connect-errors.js';
export { HEADERS } from './retry/headers.js';
export { parseUrl, redactText, redactUrl, resolveUrls } from './url.js';
