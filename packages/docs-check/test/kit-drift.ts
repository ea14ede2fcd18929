// Where a page says something about what retry-kit declares (its diagrams'
// exchanges, queues and the ways between them; the names and routing keys it
// quotes) that the kit's code does not do. Each function returns the
// problems it finds, as sentences: none means the page and the code agree.
import type { DelayLadderOptions } from '../../retry-kit/src/delays/delay-ladder.js';
import { destination, type KitTopology, kitName, kitTopology, PREFIX } from './kit-topology.js';
import { exchangeOf, type FlowNode, mermaidBlocks, parseFlowchart, queueOf } from './mermaid.js';

/** A ladder step, the routing key that takes a message from one level to the next queue: `retry-kit:1>0.2`, `retry-kit:3>2`. */
const STEP = /[\w.-]+:(?:\d+|out)>[\w.-]+/g;

/** The topology the kit declares for what `markdown` draws and names, its ladder built with `ladderOptions`. */
export async function topologyFor(markdown: string, ladderOptions: DelayLadderOptions = {}): Promise<KitTopology> {
  const workQueues = new Set<string>();
  const delays = new Set<number>();
  const noteDelay = (name: string) => {
    const delay = /(?:^|\.)delay\.(\d+)$/.exec(name)?.[1];
    if (delay) delays.add(Number(delay));
  };
  for (const chart of mermaidBlocks(markdown).map(parseFlowchart)) {
    for (const node of chart.nodes.values()) {
      const name = queueOf(node)?.name ?? exchangeOf(node)?.name;
      if (name) noteDelay(name);
      // Pages may leave the prefix off the kit's queues (`level.3`, `delay.1000`).
      if (node.shape === 'queue' && name && !name.startsWith(PREFIX) && !/^(level|delay)\./.test(name))
        workQueues.add(name);
    }
  }
  for (const span of codeSpans(markdown)) noteDelay(span);
  return kitTopology([...workQueues], [...delays], ladderOptions);
}

/** Inline code in the prose, outside fenced blocks. */
export function codeSpans(markdown: string): string[] {
  const prose = markdown.replace(/^```[\s\S]*?^```/gm, '');
  return [...prose.matchAll(/`([^`\n]+)`/g)].map((match) => match[1] ?? '');
}

interface Resolved {
  kind: 'exchange' | 'queue' | 'other';
  /** The kit's name when it is the kit's, else the name drawn ('' for the default exchange). */
  name: string;
  kit: boolean;
}

/** Problems in the Mermaid diagrams of `markdown`, measured against `kit`. */
export async function diagramProblems(markdown: string, kit: KitTopology): Promise<string[]> {
  const problems: string[] = [];
  for (const chart of mermaidBlocks(markdown).map(parseFlowchart)) {
    const resolved = new Map<string, Resolved>();
    for (const node of chart.nodes.values()) resolved.set(node.id, resolveNode(node, kit, problems));
    for (const edge of chart.edges) {
      const from = resolved.get(edge.from);
      const to = resolved.get(edge.to);
      if (!from || !to) continue;
      const arrow = edge.label
        ? `${edge.dotted ? '-.' : '--'} "${edge.label}" ${edge.dotted ? '.->' : '-->'}`
        : edge.dotted
          ? '-.->'
          : '-->';
      const shown = `${edge.from} ${arrow} ${edge.to}`;
      problems.push(...(await publishProblems(edge.label, kit)).map((problem) => `${shown}: ${problem}`));
      if (from.kit && from.kind === 'exchange' && to.kind !== 'other') {
        const exchange = kit.exchanges.get(from.name);
        if (!exchange) continue;
        if (edge.dotted) {
          const parked = exchange.alternateExchange;
          const reaches =
            parked === to.name || kit.bindings.some((b) => b.source === parked && destination(b) === to.name);
          if (!reaches)
            problems.push(`${shown}: ${from.name}'s alternate exchange is ${parked ?? 'none'}, not ${to.name}`);
          continue;
        }
        const bindings = kit.bindings.filter((b) => b.source === from.name && destination(b) === to.name);
        if (bindings.length === 0) {
          problems.push(`${shown}: retry-kit binds nothing from ${from.name} to ${to.name}`);
          continue;
        }
        const header = /^([\w-]+): (\S+)$/.exec(edge.label);
        if (exchange.type === 'headers' && header) {
          if (!bindings.some((b) => b.arguments?.[header[1] ?? ''] === header[2]))
            problems.push(`${shown}: no binding from ${from.name} to ${to.name} matches ${edge.label}`);
        } else if (exchange.type !== 'fanout' && edge.label && !/\s/.test(edge.label)) {
          const keys = bindings.map((b) => b.routingKey ?? '');
          if (!keys.includes(edge.label))
            problems.push(`${shown}: ${from.name} sends to ${to.name} with the routing key ${keys.join(', ')}`);
        }
      } else if (from.kit && from.kind === 'queue' && to.kind === 'exchange') {
        const dlx = kit.queues.get(from.name)?.deadLetterExchange;
        if (dlx !== to.name)
          problems.push(
            `${shown}: ${from.name} dead-letters to ${dlx === '' ? 'the default exchange' : (dlx ?? 'nothing')}`,
          );
      }
    }
  }
  return problems;
}

function resolveNode(node: FlowNode, kit: KitTopology, problems: string[]): Resolved {
  if (node.shape === 'exchange') {
    const exchange = exchangeOf(node);
    if (!exchange) {
      if (node.text.includes(PREFIX))
        problems.push(`${node.id}{{${node.text}}}: draw the kit's exchanges as {{"type name"}}`);
      return { kind: 'exchange', name: node.text === 'default exchange' ? '' : node.text, kit: false };
    }
    const name = kitName(exchange.name, kit.exchanges);
    if (!name) return { kind: 'exchange', name: exchange.name, kit: false };
    const declared = kit.exchanges.get(name);
    if (!declared) problems.push(`${node.id}{{"${node.text}"}}: retry-kit declares no exchange ${name}`);
    else if (declared.type !== exchange.type)
      problems.push(`${node.id}{{"${node.text}"}}: ${name} is a ${declared.type} exchange, not ${exchange.type}`);
    return { kind: 'exchange', name, kit: true };
  }
  const queue = queueOf(node);
  if (!queue) return { kind: node.shape === 'queue' ? 'queue' : 'other', name: node.text, kit: false };
  // A pattern such as retry-kit.delay.* stands for many queues: nothing to look up.
  if (/[*…]/.test(queue.name)) return { kind: 'queue', name: queue.name, kit: false };
  const name = kitName(queue.name, kit.queues);
  if (!name) return { kind: 'queue', name: queue.name, kit: false };
  const declared = kit.queues.get(name);
  if (!declared) problems.push(`${node.id}[["${node.text}"]]: retry-kit declares no queue ${name}`);
  else if (queue.ttl !== undefined && declared.messageTtl !== queue.ttl)
    problems.push(
      `${node.id}[["${node.text}"]]: ${name}'s TTL is ${declared.messageTtl ?? 'none'} ms, not ${queue.ttl} ms`,
    );
  return { kind: 'queue', name, kit: true };
}

/**
 * An edge or a sentence that gives a ladder message's routing (`routing key
 * retry-kit.level.1.8, CC retry-kit:1>0.2, ...`) must give what the kit's
 * ladder publishes for the delay its queues add up to: the first one (the
 * routing key), then the one each step leads to.
 */
export async function publishProblems(text: string, kit: KitTopology): Promise<string[]> {
  const cc = /\bCC ((?:[\w.-]+:(?:\d+|out)>[\w.-]+(?:, )?)+)/.exec(text)?.[1];
  if (!cc) return [];
  const steps = cc.match(STEP) ?? [];
  const key = /\brouting key ([\w.-]+)/.exec(text)?.[1];
  if (key === undefined) return [`it gives the CC keys ${steps.join(', ')} without the routing key they start from`];
  const visited = [key, ...steps.map((step) => step.split('>')[1] ?? '').filter((to) => /^\d+(\.\d+)?$/.test(to))];
  const ttls = visited.map(
    (queue, i) => kit.queues.get(i === 0 ? (queue ?? '') : `${PREFIX}.level.${queue}`)?.messageTtl,
  );
  if (ttls.some((ttl) => ttl === undefined))
    return [`it routes through ${visited.join(', ')}: not all are the ladder's queues`];
  const delay = ttls.reduce((sum: number, ttl) => sum + (ttl ?? 0), 0);
  const route = await routeOf(kit, delay, text);
  const problems: string[] = [];
  if (steps.join() !== route.cc.join())
    problems.push(`a delay of ${delay} ms carries the CC keys ${route.cc.join(', ')}, not ${steps.join(', ')}`);
  if (key !== route.routingKey)
    problems.push(`a delay of ${delay} ms is published with the routing key ${route.routingKey}, not ${key}`);
  return problems;
}

/**
 * Where the ladder publishes a message delayed `delay` ms (it declares
 * nothing, so no broker is needed), for the work queue `text` names in a key
 * out of the ladder (`retry-kit:out>orders`), or the first one drawn.
 */
async function routeOf(
  kit: KitTopology,
  delay: number,
  text: string,
): Promise<{ exchange: string; routingKey: string; cc: string[] }> {
  const queue = new RegExp(`${PREFIX}:out>([\\w.-]+)`).exec(text)?.[1] ?? kit.workQueues[0] ?? 'work';
  const route = await kit.ladder.route(delay, queue);
  return { exchange: route.exchange, routingKey: route.routingKey, cc: route.cc ?? [] };
}

/**
 * Names and routing keys in the prose that look like the kit's
 * (`retry-kit.level.i.d`, `retry-kit:1>0.2`) and that it does not declare.
 * A trailing `.i` or `.N` stands for any level, `.i.d` for any level's digit.
 */
export function quotedNameProblems(markdown: string, kit: KitTopology): string[] {
  const keys = new Set(kit.bindings.map((binding) => binding.routingKey ?? ''));
  const problems: string[] = [];
  for (const span of codeSpans(markdown)) {
    if (new RegExp(`^${PREFIX}:`).test(span)) {
      if (!keys.has(span)) problems.push(`\`${span}\`: no binding of the kit has this routing key`);
    } else if (new RegExp(`^${PREFIX}\\.[\\w.-]+$`).test(span)) {
      const name = span.replace(/\.i\.d$/, '.0.1').replace(/\.(i|N)$/, '.0');
      if (!kit.exchanges.has(name) && !kit.queues.has(name))
        problems.push(`\`${span}\`: retry-kit declares no exchange or queue of this name`);
    }
  }
  return problems;
}

/**
 * The README's ladder paragraph works one example through, as its digits
 * ("1,300 ms = 130 steps = 0x82") or as the steps each queue waits ("130 ms
 * = 8 + 4 + 1 steps"), which must be the kit's for that delay; it must quote
 * the routing key and every CC key the kit publishes that delay with, and
 * any other routing key it quotes (a code span in double quotes, or a step)
 * must be one of them.
 */
export async function ladderExampleProblems(text: string, kit: KitTopology): Promise<string[]> {
  const paragraph = text.replace(/\s+/g, ' ');
  const digits = /([\d,]+) ms = ([\d,]+) steps = 0x([0-9a-f]+)/.exec(paragraph);
  const sum = /([\d,]+) ms = ([\d +]+) steps/.exec(paragraph);
  const example = digits ?? sum;
  if (!example) return ['the ladder paragraph works no example through ("1,300 ms = 130 steps = 0x82")'];
  const delay = Number((example[1] ?? '').replaceAll(',', ''));
  const route = await routeOf(kit, delay, paragraph);
  const problems: string[] = [];
  const through = route.exchange === '' ? 'default exchange' : route.exchange;
  if (!paragraph.includes(through)) problems.push(`it does not say the kit publishes through the ${through}`);
  const waits = [route.routingKey, ...route.cc.map((step) => `${PREFIX}.level.${step.split('>')[1]}`)]
    .map((queue) => (kit.queues.get(queue)?.messageTtl ?? 0) / 10)
    .filter((steps) => steps > 0);
  const steps = waits.reduce((total, wait) => total + wait, 0);
  if (digits) {
    if (Number(digits[2]?.replaceAll(',', '')) !== steps)
      problems.push(`${delay} ms is ${steps} steps, not ${digits[2]}`);
    if (digits[3] !== steps.toString(16)) problems.push(`${steps} is 0x${steps.toString(16)}, not 0x${digits[3]}`);
  } else if (
    (sum?.[2] ?? '')
      .split('+')
      .map((part) => Number(part.trim()))
      .join() !== waits.join()
  ) {
    problems.push(`${delay} ms is ${waits.join(' + ')} steps, not ${sum?.[2]}`);
  }
  const spans = codeSpans(paragraph);
  for (const key of [route.routingKey, ...route.cc])
    if (!spans.includes(key)) problems.push(`it does not quote \`${key}\`, which the kit publishes ${delay} ms with`);
  for (const span of spans) {
    const quoted = /^"(.*)"$/.exec(span)?.[1] ?? (span.match(STEP)?.length ? span : undefined);
    if (quoted !== undefined && ![route.routingKey, ...route.cc].includes(quoted))
      problems.push(
        `it quotes the routing key \`${span}\`; the kit publishes ${delay} ms with ${route.routingKey}, CC ${route.cc.join(', ')}`,
      );
  }
  return problems;
}

/** The ladder paragraph of the kit's README and the diagram after it. */
export function ladderSection(readme: string): { paragraph: string; diagram: string } {
  const start = readme.search(/\*\*(Binary l|L)adder\*\*/);
  if (start < 0) return { paragraph: '', diagram: '' };
  const paragraph = readme.slice(start, readme.indexOf('\n\n', start));
  const diagram = /```mermaid\n[\s\S]*?\n```/.exec(readme.slice(start))?.[0] ?? '';
  return { paragraph, diagram };
}
