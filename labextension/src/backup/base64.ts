/**
 * Base64 of bytes, as the browser drive stores binary files. `btoa` takes a
 * binary string; building it in 32 KiB slices keeps `fromCharCode` within
 * the engine's argument limit.
 */
export function bytesToBase64(bytes: Uint8Array): string {
  const step = 0x8000;
  const parts: string[] = [];
  for (let i = 0; i < bytes.length; i += step) {
    parts.push(
      String.fromCharCode.apply(
        null,
        bytes.subarray(i, i + step) as unknown as number[]
      )
    );
  }
  return btoa(parts.join(''));
}
