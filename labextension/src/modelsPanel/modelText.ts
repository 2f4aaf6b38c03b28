import { Time } from '@jupyterlab/coreutils';

import { IDiscoveredModel } from '../discovery/tokens';

/** The name a user knows a model by: the manifest's, else the file's. */
export function displayName(model: IDiscoveredModel): string {
  const name = model.result.ok ? model.result.summary.name?.trim() : '';
  return name || model.name;
}

export function modelVersion(model: IDiscoveredModel): string {
  return model.result.ok ? (model.result.summary.version ?? '') : '';
}

export function producerText(model: IDiscoveredModel): string {
  if (!model.result.ok) {
    return '';
  }
  const { producerName, producerVersion } = model.result.summary;
  return [producerName, producerVersion].filter(Boolean).join(' ');
}

/** A relative time for the eye and an absolute one for a tooltip. */
export function formatWhen(iso: string): { text: string; title: string } {
  const date = new Date(iso);
  if (!iso || Number.isNaN(date.getTime()) || date.getTime() <= 0) {
    return { text: '', title: '' };
  }
  return { text: Time.formatHuman(date), title: Time.format(date) };
}

export function formatShape(shape: (string | number)[] | undefined): string {
  return shape ? `[${shape.join(', ')}]` : '';
}

/** Pretty JSON, cut short past a size a page can show comfortably. */
export function jsonText(value: unknown, maxChars = 200_000): string {
  let text: string;
  try {
    text = JSON.stringify(value, null, 2) ?? 'null';
  } catch {
    return String(value);
  }
  return text.length > maxChars
    ? `${text.slice(0, maxChars)}\n… (${text.length - maxChars} more characters not shown)`
    : text;
}
