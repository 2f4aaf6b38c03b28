/**
 * Byte counts for people, in decimal units as the LUML platform and the
 * browser's own downloads show them, so a size reads the same everywhere:
 * `999 B`, `1.5 KB`, `25 MB`, `3.2 GB`.
 */
const UNITS = ['KB', 'MB', 'GB', 'TB'];

export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 1000) {
    return `${Math.max(0, Math.round(bytes || 0))} B`;
  }
  let value = bytes;
  let unit = -1;
  while (value >= 1000 && unit < UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  // one decimal below 10 would otherwise round away a third of the value
  return `${value.toFixed(value < 10 ? 1 : 0)} ${UNITS[unit]}`;
}
