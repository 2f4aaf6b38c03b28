/**
 * Base64 without building strings byte by byte: the browser's native
 * `Uint8Array.prototype.toBase64` / `Uint8Array.fromBase64` where they exist,
 * else `btoa`/`atob` over slices.
 */

interface INativeBase64 {
  toBase64?: () => string;
}

interface INativeBase64Constructor {
  fromBase64?: (text: string) => Uint8Array;
}

/** Bytes per `String.fromCharCode` call: small enough for the argument limit. */
const SLICE = 0x8000;

export function bytesToBase64(bytes: Uint8Array): string {
  const native = (bytes as unknown as INativeBase64).toBase64;
  if (typeof native === 'function') {
    return native.call(bytes);
  }
  const parts: string[] = [];
  // a multiple of 3 bytes per part, so the parts concatenate without padding
  const step = SLICE * 3;
  for (let start = 0; start < bytes.length; start += step) {
    const part = bytes.subarray(start, start + step);
    let binary = '';
    for (let i = 0; i < part.length; i += SLICE) {
      binary += String.fromCharCode(...part.subarray(i, i + SLICE));
    }
    parts.push(btoa(binary));
  }
  return parts.join('');
}

export function base64ToBytes(text: string): Uint8Array {
  const native = (Uint8Array as unknown as INativeBase64Constructor).fromBase64;
  if (typeof native === 'function') {
    return native(text);
  }
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) {
    bytes[i] = binary.charCodeAt(i);
  }
  return bytes;
}

/**
 * Bytes [start, end) of the data a base64 string encodes, decoding only the
 * characters that cover them.
 */
export function base64Range(
  text: string,
  start: number,
  end: number
): Uint8Array {
  const firstGroup = Math.floor(start / 3);
  const lastGroup = Math.ceil(end / 3);
  const decoded = base64ToBytes(text.slice(firstGroup * 4, lastGroup * 4));
  const offset = start - firstGroup * 3;
  return decoded.subarray(offset, offset + (end - start));
}

/** The length of the data a base64 string encodes. */
export function base64DataLength(text: string): number {
  const padding = (text.match(/=+$/) || [''])[0].length;
  return (text.length * 3) / 4 - padding;
}
