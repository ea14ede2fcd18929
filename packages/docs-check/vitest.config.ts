import { brokerTestConfig } from 'test-broker/vitest';

// The tour test runs every example against the broker; the docs tests only read files.
export default brokerTestConfig();
