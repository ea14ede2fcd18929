import { brokerTestConfig } from 'test-broker/vitest';

export default brokerTestConfig();
