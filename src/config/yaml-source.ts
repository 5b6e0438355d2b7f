import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';

/** A path into the parsed value, as zod reports it. */
export type ValuePath = readonly PropertyKey[];

/** What a path leads to in the YAML document. */
export interface LocatedNode {
  /** The node at the path, or the deepest ancestor that exists when the path does not. */
  node: Node | undefined;
  /** `node` with an alias (`*name`) followed to its anchor, to read the value it stands for. */
  resolved: Node | undefined;
  /** True when the whole path exists in the document. */
  found: boolean;
  /** The key node of the last mapping entry on the way to `node`. */
  keyNode: Node | undefined;
}

export interface SourcePosition {
  line: number;
  column: number;
}

/** The text of a mapping key, as `toJS` would turn it into a property name. */
export function keyText(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  if (key === null || typeof key !== 'object') return key === undefined ? undefined : String(key);
  return undefined;
}

/**
 * A parsed YAML document that remembers where every node came from, so a problem found in the
 * parsed value can be reported at the line and column the user wrote it.
 */
export class YamlSource {
  readonly document: Document.Parsed;
  private readonly lineCounter = new LineCounter();

  constructor(text: string) {
    // prettyErrors off: we format positions ourselves; uniqueKeys on: duplicates are errors.
    this.document = parseDocument(text, {
      lineCounter: this.lineCounter,
      prettyErrors: false,
      uniqueKeys: true,
    });
  }

  /** 1-based line and column of a character offset. */
  positionOfOffset(offset: number): SourcePosition {
    const { line, col } = this.lineCounter.linePos(offset);
    return { line, column: col };
  }

  /** Where a node starts; the start of the file when there is no node (an empty document). */
  positionOf(node: Node | undefined): SourcePosition {
    return this.positionOfOffset(node?.range?.[0] ?? 0);
  }

  /** Follows an alias to its anchor; other nodes are returned as they are. */
  resolve(node: unknown): Node | undefined {
    if (isAlias(node)) return node.resolve(this.document) ?? undefined;
    return (node ?? undefined) as Node | undefined;
  }

  /** Walks `path` through the document, as far as it goes. */
  locate(path: ValuePath): LocatedNode {
    let node = (this.document.contents ?? undefined) as Node | undefined;
    let keyNode: Node | undefined;
    for (const segment of path) {
      const container = this.resolve(node);
      let next: Node | undefined;
      let nextKey: Node | undefined;
      if (isMap(container)) {
        // The last of duplicate keys, as that is the one the parsed value holds.
        const pair = container.items.findLast((item) => keyText(item.key) === String(segment));
        if (pair !== undefined) {
          next = (pair.value ?? undefined) as Node | undefined;
          nextKey = pair.key as Node;
          // `key:` with nothing after it can come back without a value node; point at the key.
          if (next === undefined) return { node: nextKey, resolved: undefined, found: true, keyNode: nextKey };
        }
      } else if (isSeq(container) && typeof segment === 'number') {
        next = (container.items[segment] ?? undefined) as Node | undefined;
      }
      if (next === undefined) return { node, resolved: container, found: false, keyNode };
      node = next;
      keyNode = nextKey ?? keyNode;
    }
    return { node, resolved: this.resolve(node), found: true, keyNode };
  }

  /** The path of the innermost node that holds `offset`, for placing YAML errors. */
  pathAtOffset(offset: number): PropertyKey[] {
    const path: PropertyKey[] = [];
    const within = (node: unknown): boolean => {
      const range = (node as Node | null | undefined)?.range;
      return range != null && range[0] <= offset && offset < Math.max(range[2], range[0] + 1);
    };
    let node: unknown = this.document.contents;
    for (;;) {
      let next: unknown;
      if (isMap(node)) {
        const pair = node.items.find((item) => within(item.key) || within(item.value));
        const key = pair === undefined ? undefined : keyText(pair.key);
        if (pair === undefined || key === undefined) break;
        path.push(key);
        next = within(pair.value) ? pair.value : undefined;
      } else if (isSeq(node)) {
        const index = node.items.findIndex((item) => within(item));
        if (index === -1) break;
        path.push(index);
        next = node.items[index];
      }
      if (next === undefined) break;
      node = next;
    }
    return path;
  }
}

/** `streams[2].window.size`; keys that are not plain words are quoted: `labels["team name"]`. */
export function formatPath(path: ValuePath): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (typeof segment === 'string' && /^[A-Za-z_][A-Za-z0-9_-]*$/.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(String(segment))}]`;
  }
  return out;
}
