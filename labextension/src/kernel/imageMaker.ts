/**
 * Makes the kernel image (see `kernelImage.ts`) when the site is built, in
 * Node, from the site's own Pyodide runtime:
 *
 *     node make-kernel-image.mjs <runtime folder> <output folder> \
 *         --wheels a=/path/a-1.0-py3-none-any.whl,… --imports x,y.z
 *
 * It starts Pyodide ready to snapshot, loads the wheels, imports the
 * modules, and writes the snapshot, the tar of the site-packages folder and
 * the manifest (last, so a folder with a manifest is whole). Wheels with
 * compiled code must not be among them: a snapshot holds memory, not the
 * loaded code of a library.
 *
 * Bundled apart into one ES module (`build-pages.mjs`); Node's modules are
 * imported at run time.
 */
import {
  IKernelImageManifest,
  KERNEL_IMAGE_FORMAT,
  KERNEL_IMAGE_MANIFEST,
  SnapshotReference
} from './kernelImage';

const importAtRunTime = (name: string): Promise<any> =>
  import(/* webpackIgnore: true */ name);

const SNAPSHOT_FILE = 'luml-kernel.snapshot.gz';
const FILES_FILE = 'luml-kernel-files.tar.gz';
// in Pyodide's own (in-memory) working folder
const TAR_IN_KERNEL = 'luml-kernel-files.tar';

/**
 * Python run before the snapshot: the site-packages folder, and a collection
 * so that no object holding a file of this build (an open zip) is restored.
 */
const SITE_PACKAGES = `
import gc, sysconfig
gc.collect()
"/" + sysconfig.get_path("purelib").lstrip("/")
`;

/**
 * Python run after the snapshot: the libraries compiled to bytecode that is
 * never checked against its source (whose times the start from the image
 * renews), so that a module the snapshot lacks is not compiled at each
 * start; then the tar of the site-packages folder.
 */
const TAR_FILES = `
import compileall, py_compile, sysconfig, tarfile
purelib = sysconfig.get_path("purelib")
compileall.compile_dir(
    purelib,
    quiet=2,
    force=True,
    invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
)
with tarfile.open("${TAR_IN_KERNEL}", "w", format=tarfile.USTAR_FORMAT) as tar:
    tar.add(purelib, arcname=".")
`;

function option(args: string[], name: string): string[] {
  const at = args.indexOf(name);
  const value = at >= 0 ? args[at + 1] : undefined;
  return value ? value.split(',').filter(Boolean) : [];
}

/**
 * What the snapshot records for a JavaScript object the imported modules
 * hold (micropip and the kernel hold functions of Pyodide's API): its name
 * in the API, found again in the Pyodide that starts from the snapshot.
 */
function snapshotReference(py: any, value: unknown): SnapshotReference {
  for (const [where, api] of [
    ['public', py],
    ['api', py._api]
  ] as const) {
    for (const key of Object.getOwnPropertyNames(api)) {
      if (api[key] === value) {
        return [where, key];
      }
    }
  }
  throw new Error(
    `an imported module holds a JavaScript object the snapshot cannot name: ${String(value).slice(0, 80)}`
  );
}

async function main(args: string[]): Promise<void> {
  const [runtime, output] = args;
  if (!runtime || !output) {
    throw new Error(
      'usage: make-kernel-image.mjs <runtime> <output> --wheels … --imports …'
    );
  }
  const path = await importAtRunTime('node:path');
  const fs = await importAtRunTime('node:fs');
  const zlib = await importAtRunTime('node:zlib');
  const crypto = await importAtRunTime('node:crypto');
  const { pathToFileURL } = await importAtRunTime('node:url');
  // name=file pairs: the files are loaded as they are, without the
  // dependencies the lock names, which may be compiled
  const wheels = option(args, '--wheels').map(pair => pair.split('='));
  const imports = option(args, '--imports');

  // in Node, Pyodide reads its files by path
  const indexURL = path.resolve(runtime) + path.sep;
  const pyodide = await importAtRunTime(
    pathToFileURL(indexURL + 'pyodide.mjs').href
  );
  const quiet = () => undefined;
  const py = await pyodide.loadPyodide({
    indexURL,
    _makeSnapshot: true,
    stdout: quiet,
    stderr: (line: string) => console.error(line)
  });
  await py.loadPackage(
    wheels.map(([, file]) => file),
    { messageCallback: quiet }
  );
  const loaded = Object.keys(py.loadedPackages);
  const packages = wheels.map(([name]) => name).sort();
  for (const name of imports) {
    py.pyimport(name);
  }
  const sitePackages: string = py.runPython(SITE_PACKAGES);
  // Pyodide refuses a snapshot while its record of loaded packages is not
  // empty; a start from the image fills it again (pyodideLoader.ts)
  for (const name of loaded) {
    delete py.loadedPackages[name];
  }
  const snapshot: Uint8Array = py.makeMemorySnapshot({
    serializer: (value: unknown) => snapshotReference(py, value)
  });
  py.runPython(TAR_FILES);
  const tar: Uint8Array = py.FS.readFile(TAR_IN_KERNEL);

  fs.mkdirSync(output, { recursive: true });
  const digest = crypto.createHash('sha256');
  const write = (name: string, bytes: Uint8Array) => {
    const partial = path.join(output, `.${name}.partial`);
    const compressed = zlib.gzipSync(bytes, { level: 6 });
    digest.update(compressed);
    fs.writeFileSync(partial, compressed);
    fs.renameSync(partial, path.join(output, name));
  };
  write(SNAPSHOT_FILE, snapshot);
  write(FILES_FILE, tar);
  const manifest: IKernelImageManifest = {
    format: KERNEL_IMAGE_FORMAT,
    pyodide: pyodide.version,
    snapshot: SNAPSHOT_FILE,
    files: FILES_FILE,
    sitePackages,
    packages,
    digest: digest.digest('hex')
  };
  fs.writeFileSync(
    path.join(output, KERNEL_IMAGE_MANIFEST),
    JSON.stringify(manifest, null, 1)
  );
  console.log(
    `kernel image: ${packages.length} packages, ${imports.length} imports, ` +
      `snapshot ${snapshot.length} bytes, files ${tar.length} bytes`
  );
}

const nodeProcess = (globalThis as any).process;
main(nodeProcess.argv.slice(2)).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  nodeProcess.exitCode = 1;
});
