/** One second of pretend work per dot in the task, scaled by WORK_SECOND_MS so the demo and tests run fast. */
export const WORK_SECOND_MS = Number(process.env.WORK_SECOND_MS ?? 1_000);

export function workSeconds(task: string): number {
  return task.split('.').length - 1;
}
