/** What the user's copy of a default is renamed with when it is reset. */
export const MY_EDITS_SUFFIX = '-my-edits';

/** Split a file name into stem and extension (`a.tar.gz` → `a.tar`, `.gz`). */
function splitName(name: string): [string, string] {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ''];
}

/**
 * Where to keep the user's copy of a default beside the shipped one:
 * `<stem>-my-edits<ext>` in the same folder, or `<stem>-my-edits-2<ext>`,
 * `-3`, ... when that name is taken.
 */
export function myEditsPath(
  path: string,
  isTaken: (candidate: string) => boolean
): string {
  const slash = path.lastIndexOf('/');
  const folder = slash >= 0 ? path.slice(0, slash + 1) : '';
  const [stem, ext] = splitName(path.slice(slash + 1));
  for (let n = 1; ; n++) {
    const number = n === 1 ? '' : `-${n}`;
    const candidate = `${folder}${stem}${MY_EDITS_SUFFIX}${number}${ext}`;
    if (!isTaken(candidate)) {
      return candidate;
    }
  }
}
