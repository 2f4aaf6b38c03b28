import { structuredPatch } from 'diff';

/**
 * A file's content as the browser has it: a contents model (`json`, `text`,
 * `base64`) or the raw bytes fetched from the site.
 */
export type RawContent =
  | { format: 'json'; content: unknown }
  | { format: 'text'; content: string }
  | { format: 'base64'; content: string }
  | { format: 'bytes'; content: Uint8Array };

/**
 * What two versions of a default are compared by. For notebooks that is the
 * cells' types and sources only: running a notebook changes its outputs,
 * execution counts and metadata, which are not edits of the user's own.
 */
export interface IComparable {
  readonly kind: 'notebook' | 'json' | 'text' | 'binary';
  /** Equal keys mean equal content. */
  readonly key: string;
  /** The content as lines for a line diff; null for binary content. */
  readonly lines: string[] | null;
}

/** One cell as far as a comparison is concerned. */
export interface ICanonicalCell {
  readonly type: string;
  readonly source: string;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const encoder = new TextEncoder();

function normalizeNewlines(text: string): string {
  return text.replace(/\r\n?/g, '\n');
}

function joinSource(source: unknown): string {
  if (Array.isArray(source)) {
    return source.map(part => String(part)).join('');
  }
  return typeof source === 'string' ? source : '';
}

/**
 * The cells of a notebook as compared: type and source, newlines normalized.
 * Null when the value is not a notebook (no `cells` list).
 */
export function canonicalCells(notebook: unknown): ICanonicalCell[] | null {
  const cells = (notebook as { cells?: unknown } | null)?.cells;
  if (!Array.isArray(cells)) {
    return null;
  }
  return cells.map(cell => ({
    type: String((cell as { cell_type?: unknown })?.cell_type ?? 'code'),
    source: normalizeNewlines(
      joinSource((cell as { source?: unknown })?.source)
    )
  }));
}

function base64ToBytes(base64: string): Uint8Array {
  const binary = atob(base64.replace(/\s/g, ''));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) {
    bytes[i] = binary.charCodeAt(i);
  }
  return bytes;
}

function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  const step = 0x8000;
  for (let i = 0; i < bytes.length; i += step) {
    binary += String.fromCharCode(...bytes.subarray(i, i + step));
  }
  return btoa(binary);
}

function bytesOf(raw: RawContent): Uint8Array {
  switch (raw.format) {
    case 'bytes':
      return raw.content;
    case 'base64':
      return base64ToBytes(raw.content);
    case 'text':
      return encoder.encode(raw.content);
    case 'json':
      return encoder.encode(JSON.stringify(raw.content));
  }
}

function decodeText(bytes: Uint8Array): string | null {
  try {
    return utf8.decode(bytes);
  } catch {
    return null;
  }
}

/** Parse JSON content, from a contents model or from text; undefined if not JSON. */
function parsedJson(raw: RawContent, bytes: () => Uint8Array): unknown {
  if (raw.format === 'json') {
    return raw.content;
  }
  const text = decodeText(bytes());
  if (text === null) {
    return undefined;
  }
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** JSON with sorted keys, so that key order does not count as a change. */
function stableJson(value: unknown): string {
  return JSON.stringify(
    value,
    (_key, item) =>
      item && typeof item === 'object' && !Array.isArray(item)
        ? Object.fromEntries(
            Object.keys(item)
              .sort()
              .map(key => [key, item[key]])
          )
        : item,
    1
  );
}

function textLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines.length > 1 && lines[lines.length - 1] === '') {
    lines.pop();
  }
  return lines;
}

/** A notebook as text for a line diff: each cell under a header line. */
function notebookLines(cells: ICanonicalCell[]): string[] {
  const lines: string[] = [];
  for (const cell of cells) {
    lines.push(`─── ${cell.type} cell ───`);
    lines.push(...(cell.source === '' ? [] : textLines(cell.source)));
  }
  return lines;
}

/**
 * What a file's content is compared by, chosen from its path the same way
 * for the shipped and the browser copy.
 */
export function toComparable(path: string, raw: RawContent): IComparable {
  let bytes: Uint8Array | null = null;
  const getBytes = () => (bytes ??= bytesOf(raw));
  const lower = path.toLowerCase();
  if (lower.endsWith('.ipynb') || lower.endsWith('.json')) {
    const value = parsedJson(raw, getBytes);
    const cells = lower.endsWith('.ipynb') ? canonicalCells(value) : null;
    if (cells) {
      return {
        kind: 'notebook',
        key: 'notebook:' + JSON.stringify(cells.map(c => [c.type, c.source])),
        lines: notebookLines(cells)
      };
    }
    if (value !== undefined) {
      const text = stableJson(value);
      return { kind: 'json', key: 'json:' + text, lines: textLines(text) };
    }
  }
  const text = raw.format === 'text' ? raw.content : decodeText(getBytes());
  if (text !== null) {
    const normalized = normalizeNewlines(text);
    return {
      kind: 'text',
      key: 'text:' + normalized,
      lines: textLines(normalized)
    };
  }
  return {
    kind: 'binary',
    key: 'binary:' + bytesToBase64(getBytes()),
    lines: null
  };
}

/** Whether two versions hold the same content, as defined by `toComparable`. */
export function sameContent(a: IComparable, b: IComparable): boolean {
  return a.key === b.key;
}

/** One line of a diff. */
export interface IDiffLine {
  readonly change: 'context' | 'removed' | 'added';
  readonly text: string;
}

/** A run of changed lines with some context around it. */
export interface IDiffHunk {
  /** Where the hunk starts in the shipped version and in the user's copy (1-based). */
  readonly shippedStart: number;
  readonly yoursStart: number;
  readonly lines: IDiffLine[];
}

/** What differs between the shipped version of a default and the user's copy. */
export interface IContentDiff {
  readonly kind: IComparable['kind'];
  /** True when the compared content is the same. */
  readonly same: boolean;
  /** Line hunks; empty for binary content. */
  readonly hunks: IDiffHunk[];
  readonly added: number;
  readonly removed: number;
}

/**
 * A line diff of the shipped version against the user's copy, with `context`
 * unchanged lines around each change.
 */
export function diffContent(
  shipped: IComparable,
  yours: IComparable,
  context = 3
): IContentDiff {
  const same = sameContent(shipped, yours);
  if (shipped.lines === null || yours.lines === null) {
    return { kind: 'binary', same, hunks: [], added: 0, removed: 0 };
  }
  const join = (lines: string[]) =>
    lines.length ? lines.join('\n') + '\n' : '';
  const patch = structuredPatch(
    'shipped',
    'yours',
    join(shipped.lines),
    join(yours.lines),
    '',
    '',
    { context }
  );
  let added = 0;
  let removed = 0;
  const hunks = patch.hunks.map(hunk => ({
    shippedStart: hunk.oldStart,
    yoursStart: hunk.newStart,
    lines: hunk.lines
      .filter(line => !line.startsWith('\\'))
      .map((line): IDiffLine => {
        const change =
          line[0] === '+' ? 'added' : line[0] === '-' ? 'removed' : 'context';
        added += change === 'added' ? 1 : 0;
        removed += change === 'removed' ? 1 : 0;
        return { change, text: line.slice(1) };
      })
  }));
  return { kind: yours.kind, same, hunks, added, removed };
}
