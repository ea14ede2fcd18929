// Spans as a tree per trace, for the terminal: name, attempt, when it started
// (ms after the trace's first span), how long it took, and what came of it.
import type { ReadableSpan } from '@opentelemetry/sdk-trace';

const ms = (time: [number, number]) => time[0] * 1e3 + time[1] / 1e6;

/** What came of a span: an attempt's outcome and error, a publish's kind, delay or reason. */
function result(span: ReadableSpan): string {
  const a = span.attributes;
  if (a['retry_kit.outcome'] !== undefined) {
    const error = span.status.message ? `: ${span.status.message}` : '';
    return `${a['retry_kit.outcome']}${error}`;
  }
  if (a['retry_kit.publish.kind'] === 'retry') return `retry in ${a['retry_kit.delay_ms']} ms`;
  if (a['retry_kit.publish.kind'] === 'dead-letter') return `dead-lettered: ${a['retry_kit.dead_letter.reason']}`;
  return 'sent';
}

function label(span: ReadableSpan): string {
  const attempt = span.attributes['retry_kit.attempt'];
  return attempt === undefined || span.attributes['retry_kit.publish.kind'] !== undefined
    ? span.name
    : `${span.name}  attempt ${attempt}`;
}

/** Every trace in `spans`, oldest first, each as a title line and the lines of a tree. */
export function spanTrees(spans: ReadableSpan[]): string[][] {
  const byStart = [...spans].sort((a, b) => ms(a.startTime) - ms(b.startTime));
  const ids = new Set(byStart.map((span) => span.spanContext().spanId));
  const children = (parent: ReadableSpan) =>
    byStart.filter((span) => span.parentSpanContext?.spanId === parent.spanContext().spanId);
  const roots = byStart.filter((span) => !ids.has(span.parentSpanContext?.spanId ?? ''));

  return roots.map((root) => {
    const origin = ms(root.startTime);
    const spanCount = byStart.filter((span) => span.spanContext().traceId === root.spanContext().traceId).length;
    const lines = [`"${root.attributes['messaging.message.id']}": one trace, ${spanCount} spans`];
    const walk = (span: ReadableSpan, lead: string, branch: string) => {
      const name = `${lead}${branch}${label(span)}`;
      const at = `+${Math.round(ms(span.startTime) - origin)} ms`;
      const took = `${Math.round(ms(span.duration))} ms`;
      lines.push(`${name.padEnd(58)} ${at.padStart(9)} ${took.padStart(6)}  ${result(span)}`);
      const kids = children(span);
      const next = lead + (branch === '├─ ' ? '│  ' : branch === '└─ ' ? '   ' : '');
      for (const [i, kid] of kids.entries()) walk(kid, next, i === kids.length - 1 ? '└─ ' : '├─ ');
    };
    walk(root, '', '');
    return lines;
  });
}
