import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { NodeControl } from './handle.js';

const execFileAsync = promisify(execFile);

/** Runs `rabbitmqctl` against the node, locally or inside its container. */
export async function rabbitmqctl(control: NodeControl, args: string[]): Promise<string> {
  if (control.kind === 'local') {
    const { stdout } = await execFileAsync(control.ctlPath, ['-n', control.nodename, ...args], {
      env: { ...process.env, ...control.env },
    });
    return stdout;
  }
  const { getContainerRuntimeClient } = await import('testcontainers');
  const client = await getContainerRuntimeClient();
  const container = client.container.getById(control.containerId);
  const result = await client.container.exec(container, ['rabbitmqctl', ...args]);
  if (result.exitCode !== 0) {
    throw new Error(`rabbitmqctl ${args.join(' ')} exited ${result.exitCode}: ${result.output}`);
  }
  return result.output;
}
