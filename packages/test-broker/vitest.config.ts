import { brokerTestConfig } from './src/vitest/config.js';

export default brokerTestConfig();
