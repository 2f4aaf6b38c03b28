/**
 * The text of anything thrown, for messages people read: an Error's message,
 * else the value as a string (a rejected promise may carry anything).
 */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
