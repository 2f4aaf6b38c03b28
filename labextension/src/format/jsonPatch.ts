/**
 * RFC 6902 JSON Patch, limited to `add`, `replace` and `remove`: what
 * `manifest-*.patch.json` members use (fnnx itself writes add/replace).
 */

export type JsonValue =
  null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export interface IJsonPatchOperation {
  op: string;
  path: string;
  value?: JsonValue;
}

export class JsonPatchError extends Error {}

/** Returns a patched copy; the input document is left untouched. */
export function applyJsonPatch(document: JsonValue, patch: unknown): JsonValue {
  if (!Array.isArray(patch)) {
    throw new JsonPatchError('a JSON patch must be an array of operations');
  }
  let doc = clone(document);
  patch.forEach((raw: unknown, index: number) => {
    if (
      !isObject(raw) ||
      typeof raw.op !== 'string' ||
      typeof raw.path !== 'string'
    ) {
      throw new JsonPatchError(
        `operation ${index} needs string "op" and "path"`
      );
    }
    const op = raw.op;
    const tokens = parsePointer(raw.path);
    if ((op === 'add' || op === 'replace') && !('value' in raw)) {
      throw new JsonPatchError(`operation ${index} (${op}) has no "value"`);
    }
    const value = clone(raw.value as JsonValue);
    try {
      switch (op) {
        case 'add':
          doc = add(doc, tokens, value);
          break;
        case 'replace':
          doc = replace(doc, tokens, value);
          break;
        case 'remove':
          doc = remove(doc, tokens);
          break;
        default:
          throw new JsonPatchError(`unsupported op "${op}"`);
      }
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      throw new JsonPatchError(
        `operation ${index} (${op} ${raw.path}): ${message}`
      );
    }
  });
  return doc;
}

function add(doc: JsonValue, tokens: string[], value: JsonValue): JsonValue {
  if (tokens.length === 0) {
    return value;
  }
  const [parent, key] = parentOf(doc, tokens);
  if (Array.isArray(parent)) {
    const index =
      key === '-' ? parent.length : arrayIndex(key, parent.length + 1);
    parent.splice(index, 0, value);
  } else {
    setOwn(parent, key, value);
  }
  return doc;
}

function replace(
  doc: JsonValue,
  tokens: string[],
  value: JsonValue
): JsonValue {
  if (tokens.length === 0) {
    return value;
  }
  const [parent, key] = parentOf(doc, tokens);
  if (Array.isArray(parent)) {
    parent[arrayIndex(key, parent.length)] = value;
  } else {
    if (!hasOwn(parent, key)) {
      throw new JsonPatchError(`no member "${key}" to replace`);
    }
    setOwn(parent, key, value);
  }
  return doc;
}

function remove(doc: JsonValue, tokens: string[]): JsonValue {
  if (tokens.length === 0) {
    throw new JsonPatchError('cannot remove the whole document');
  }
  const [parent, key] = parentOf(doc, tokens);
  if (Array.isArray(parent)) {
    parent.splice(arrayIndex(key, parent.length), 1);
  } else {
    if (!hasOwn(parent, key)) {
      throw new JsonPatchError(`no member "${key}" to remove`);
    }
    delete parent[key];
  }
  return doc;
}

type Container = JsonValue[] | { [key: string]: JsonValue };

function parentOf(doc: JsonValue, tokens: string[]): [Container, string] {
  let node: JsonValue = doc;
  for (const token of tokens.slice(0, -1)) {
    if (Array.isArray(node)) {
      node = node[arrayIndex(token, node.length)];
    } else if (isObject(node) && hasOwn(node, token)) {
      node = node[token];
    } else {
      throw new JsonPatchError(`path segment "${token}" not found`);
    }
  }
  if (!Array.isArray(node) && !isObject(node)) {
    throw new JsonPatchError('target parent is not an object or array');
  }
  return [node as Container, tokens[tokens.length - 1]];
}

/** RFC 6901: `~1` is `/`, `~0` is `~`; "" is the whole document. */
function parsePointer(pointer: string): string[] {
  if (pointer === '') {
    return [];
  }
  if (!pointer.startsWith('/')) {
    throw new JsonPatchError(`path "${pointer}" must start with "/"`);
  }
  return pointer
    .slice(1)
    .split('/')
    .map(t => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function arrayIndex(token: string, limit: number): number {
  if (!/^(0|[1-9][0-9]*)$/.test(token)) {
    throw new JsonPatchError(`"${token}" is not an array index`);
  }
  const index = Number(token);
  if (index >= limit) {
    throw new JsonPatchError(`array index ${index} is out of range`);
  }
  return index;
}

// defineProperty, so a "__proto__" key stays data and never a prototype
function setOwn(
  obj: { [key: string]: JsonValue },
  key: string,
  value: JsonValue
): void {
  Object.defineProperty(obj, key, {
    value,
    writable: true,
    enumerable: true,
    configurable: true
  });
}

function hasOwn(obj: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(obj, key);
}

function isObject(v: unknown): v is { [key: string]: JsonValue } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function clone(v: JsonValue): JsonValue {
  return v === undefined ? v : JSON.parse(JSON.stringify(v));
}
