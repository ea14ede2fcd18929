export { brokerTestConfig } from './config.js';
export { tempDir } from './temp-dirs.js';
export type { TestBroker } from './test-vhost.js';
export { useTestVhost } from './test-vhost.js';
