/**
 * Just enough of Mermaid's flowchart syntax to read the pages' diagrams:
 * nodes with their shapes and text, and the edges between them with their
 * labels. A line it cannot read throws, so a new construct is noticed
 * rather than skipped.
 */

export type Shape = 'circle' | 'queue' | 'exchange' | 'box' | 'round' | 'cylinder' | 'diamond' | 'plain';

export interface FlowNode {
  id: string;
  shape: Shape;
  /** The text drawn, without its quotes. */
  text: string;
}

export interface FlowEdge {
  from: string;
  to: string;
  /** The label, without its quotes; '' when there is none. */
  label: string;
  dotted: boolean;
}

export interface Flowchart {
  nodes: Map<string, FlowNode>;
  edges: FlowEdge[];
}

/** Opening and closing delimiters, longest first so `[[` is not read as `[`. */
const SHAPES: [string, string, Shape][] = [
  ['((', '))', 'circle'],
  ['[[', ']]', 'queue'],
  ['{{', '}}', 'exchange'],
  ['[(', ')]', 'cylinder'],
  ['[', ']', 'box'],
  ['(', ')', 'round'],
  ['{', '}', 'diamond'],
];

/** `-->`, `-.->`, `-- label -->`, `-- "label" -->`, `-. "label" .->`, `-->|label|`. */
const EDGE =
  /^\s*(?:(?<bare>-->|-\.->|==>|---)(?:\|(?<piped>[^|]*)\|)?|(?<open>--|-\.|==)\s*(?<label>"[^"]*"|[^-.=>"]+?)\s*(?<close>-->|\.->|==>))\s*/;

export function parseFlowchart(source: string): Flowchart {
  const nodes = new Map<string, FlowNode>();
  const edges: FlowEdge[] = [];
  const lines = source.split('\n');
  if (!/^(flowchart|graph)\b/.test(lines[0]?.trim() ?? '')) throw new Error(`not a flowchart: ${lines[0]}`);
  for (const line of lines.slice(1)) {
    if (!line.trim() || line.trim().startsWith('%%')) continue;
    let rest = line;
    let previous: string[] | undefined;
    let pending: Omit<FlowEdge, 'from' | 'to'> | undefined;
    for (;;) {
      const group: string[] = [];
      for (;;) {
        const read = readNode(rest, line);
        rest = read.rest;
        const known = nodes.get(read.node.id);
        if (!known || read.node.text !== read.node.id) nodes.set(read.node.id, read.node);
        group.push(read.node.id);
        const and = /^\s*&\s*/.exec(rest);
        if (!and) break;
        rest = rest.slice(and[0].length);
      }
      if (previous && pending) {
        for (const from of previous) for (const to of group) edges.push({ from, to, ...pending });
      }
      if (!rest.trim()) break;
      const edge = EDGE.exec(rest);
      if (!edge?.groups)
        throw new Error(`cannot read the Mermaid line ${JSON.stringify(line)} at ${JSON.stringify(rest)}`);
      const { bare, piped, open, label, close } = edge.groups;
      pending = {
        label: unquote((piped ?? label ?? '').trim()),
        dotted: (bare ?? `${open}${close}`).includes('.'),
      };
      previous = group;
      rest = rest.slice(edge[0].length);
    }
  }
  return { nodes, edges };
}

function readNode(text: string, line: string): { node: FlowNode; rest: string } {
  const id = /^\s*([A-Za-z_][\w-]*)/.exec(text);
  if (!id?.[1])
    throw new Error(`cannot read a node in the Mermaid line ${JSON.stringify(line)} at ${JSON.stringify(text)}`);
  let rest = text.slice(id[0].length);
  for (const [open, close, shape] of SHAPES) {
    if (!rest.startsWith(open)) continue;
    rest = rest.slice(open.length);
    let body: string;
    if (rest.startsWith('"')) {
      const end = rest.indexOf('"', 1);
      body = rest.slice(1, end);
      rest = rest.slice(end + 1);
    } else {
      const end = rest.indexOf(close);
      body = rest.slice(0, end);
      rest = rest.slice(end);
    }
    if (!rest.startsWith(close)) throw new Error(`unclosed ${open} in the Mermaid line ${JSON.stringify(line)}`);
    return { node: { id: id[1], shape, text: body.trim() }, rest: rest.slice(close.length) };
  }
  return { node: { id: id[1], shape: 'plain', text: id[1] }, rest };
}

function unquote(text: string): string {
  return text.startsWith('"') && text.endsWith('"') ? text.slice(1, -1) : text;
}

/** The bodies of a page's ```mermaid blocks. */
export function mermaidBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/```mermaid\n([\s\S]*?)\n```/g)].map((match) => match[1] ?? '');
}

export const EXCHANGE_TYPES = ['direct', 'fanout', 'topic', 'headers'] as const;
export type ExchangeType = (typeof EXCHANGE_TYPES)[number];

/**
 * An exchange node's name and type, drawn as `{{"type name"}}` (the kit's
 * pages) or `{{name: type}}` (the tutorials'); undefined for anything else,
 * such as `{{"default exchange"}}`.
 */
export function exchangeOf(node: FlowNode): { type: ExchangeType; name: string } | undefined {
  if (node.shape !== 'exchange') return undefined;
  const typeFirst = /^(\w+) (\S+)$/.exec(node.text);
  if (typeFirst && isType(typeFirst[1])) return { type: typeFirst[1], name: typeFirst[2] ?? '' };
  const nameFirst = /^(\S+): (\w+)$/.exec(node.text);
  if (nameFirst && isType(nameFirst[2])) return { type: nameFirst[2], name: nameFirst[1] ?? '' };
  return undefined;
}

function isType(word: string | undefined): word is ExchangeType {
  return (EXCHANGE_TYPES as readonly string[]).includes(word ?? '');
}

/**
 * A queue node's name and, when its note gives one (`(TTL 2 s)`, `(80 ms)`),
 * its TTL in ms.
 */
export function queueOf(node: FlowNode): { name: string; ttl: number | undefined } | undefined {
  if (node.shape !== 'queue') return undefined;
  const match = /^(\S+)(?: \((.*)\))?$/.exec(node.text);
  if (!match?.[1]) return undefined;
  const ttl = /(\d[\d,]*(?:\.\d+)?) ?(ms|s)\b/.exec(match[2] ?? '');
  return { name: match[1], ttl: ttl ? Number(ttl[1]?.replaceAll(',', '')) * (ttl[2] === 's' ? 1000 : 1) : undefined };
}
