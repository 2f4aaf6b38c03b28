import { IInstanceListing, IListedFile, IListedFolder } from '.';

/**
 * Lists an instance from its browser storage keys, without reading a single
 * file. JupyterLite's own folder listing reads every stored file of the
 * instance (with contents) for each folder; a backup through it reads the
 * whole instance once per folder before writing anything. Here the paths
 * come from one `getAllKeys` on the IndexedDB store behind the drive, plus
 * the files shipped with the site (`api/contents/.../all.json`), which is
 * what the file browser shows. Returns null where the storage is not the
 * IndexedDB that JupyterLite uses, so callers walk the folders instead.
 */
export async function listBrowserStorage(options: {
  storageName: string;
  baseUrl: string;
  allJsonFile: string;
}): Promise<IInstanceListing | null> {
  const keys = await storageKeys(options.storageName);
  if (keys === null) {
    return null;
  }
  const shipped = await shippedFiles(options.baseUrl, options.allJsonFile);
  const paths = new Set<string>(keys);
  shipped.files.forEach(file => paths.add(file.path));
  shipped.folders.forEach(folder => paths.add(folder));

  const parents = new Set<string>();
  for (const path of paths) {
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i++) {
      parents.add(parts.slice(0, i).join('/'));
    }
  }
  const shippedFolders = new Set(shipped.folders);
  const shippedSizes = new Map(shipped.files.map(f => [f.path, f]));
  const files: IListedFile[] = [];
  const folders: IListedFolder[] = [];
  for (const path of [...paths].sort()) {
    if (parents.has(path)) {
      folders.push({ path, empty: false });
    } else if (shippedFolders.has(path)) {
      folders.push({ path, empty: true });
    } else {
      // a leaf key is a file or an empty folder: the writer tells them
      // apart when it reads the record
      files.push(shippedSizes.get(path) ?? { path, size: 0 });
    }
  }
  return { files, folders };
}

async function storageKeys(name: string): Promise<string[] | null> {
  if (typeof indexedDB === 'undefined' || !indexedDB.databases) {
    return null;
  }
  const known = await indexedDB.databases();
  if (!known.some(db => db.name === name)) {
    return known.length ? null : [];
  }
  return new Promise<string[] | null>(resolve => {
    const request = indexedDB.open(name);
    request.onerror = () => resolve(null);
    request.onupgradeneeded = () => {
      // never create or change the drive's database from here
      request.transaction?.abort();
    };
    request.onsuccess = () => {
      const db = request.result;
      if (!db.objectStoreNames.contains('files')) {
        db.close();
        resolve(null);
        return;
      }
      const all = db
        .transaction('files', 'readonly')
        .objectStore('files')
        .getAllKeys();
      all.onerror = () => {
        db.close();
        resolve(null);
      };
      all.onsuccess = () => {
        db.close();
        resolve(
          all.result.filter((key): key is string => typeof key === 'string')
        );
      };
    };
  });
}

interface IShipped {
  files: IListedFile[];
  folders: string[];
}

async function shippedFiles(
  baseUrl: string,
  allJsonFile: string
): Promise<IShipped> {
  const out: IShipped = { files: [], folders: [] };
  if (!allJsonFile) {
    return out;
  }
  const pending = [''];
  while (pending.length) {
    const dir = pending.shift()!;
    const url = `${baseUrl.replace(/\/?$/, '/')}api/contents/${dir ? `${dir.split('/').map(encodeURIComponent).join('/')}/` : ''}${allJsonFile}`;
    let listing: {
      content?: {
        path: string;
        type: string;
        size?: number;
        last_modified?: string;
      }[];
    };
    try {
      const response = await fetch(url);
      if (!response.ok) {
        continue;
      }
      listing = await response.json();
    } catch {
      continue;
    }
    for (const item of listing.content ?? []) {
      const path = item.path.replace(/^\/+/, '');
      if (item.type === 'directory') {
        out.folders.push(path);
        pending.push(path);
      } else {
        out.files.push({
          path,
          size: item.size ?? 0,
          modified: item.last_modified
        });
      }
    }
  }
  return out;
}
