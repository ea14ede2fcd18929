// test-broker comes from the workspace root's devDependencies: it depends on retry-kit, and turbo refuses a cycle.
import { brokerTestConfig } from 'test-broker/vitest';
import { configDefaults } from 'vitest/config';

// test/cluster starts a cluster of its own: `pnpm test:cluster` (vitest.cluster.config.ts).
export default brokerTestConfig({ exclude: [...configDefaults.exclude, 'test/cluster/**'] });
