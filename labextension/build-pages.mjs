// Bundles what runs outside JupyterLab into the Python package: the two pages
// (the instances page, the site's index.html, and the instance boot script
// that every JupyterLite app page runs before the app loads), and the two
// kernel image scripts (the kernel's Pyodide loader, an ES module its worker
// imports, and the image maker the site build runs in Node).
import { rspack } from '@rspack/core';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const production = !process.argv.includes('--development');

const compiler = rspack({
  mode: production ? 'production' : 'development',
  context: here,
  entry: {
    instances: './lib/pages/instancesMain.js',
    'instance-boot': './lib/pages/bootMain.js'
  },
  output: {
    path: path.resolve(here, '../src/luml_notebooks/site/pages/js'),
    filename: '[name].js',
    // one file per page: the site copies only the entry files, so code
    // imported on demand must be inside them
    asyncChunks: false,
    clean: true
  },
  target: ['web', 'es2020'],
  devtool: production ? false : 'source-map',
  optimization: { splitChunks: false, runtimeChunk: false }
});

const kernelScripts = rspack({
  mode: production ? 'production' : 'development',
  context: here,
  entry: {
    'luml-pyodide': './lib/kernel/pyodideLoader.js',
    'make-kernel-image': './lib/kernel/imageMaker.js'
  },
  output: {
    path: path.resolve(here, '../src/luml_notebooks/site/kernel_js'),
    filename: '[name].mjs',
    module: true,
    library: { type: 'module' },
    chunkFormat: 'module',
    asyncChunks: false,
    clean: true
  },
  experiments: { outputModule: true },
  // the loader finds Pyodide and the image beside itself, where it is served
  module: { parser: { javascript: { importMeta: false } } },
  target: ['es2022'],
  devtool: false,
  optimization: { splitChunks: false, runtimeChunk: false }
});

for (const one of [compiler, kernelScripts]) {
  one.run((error, stats) => report(one, error, stats));
}

function report(compiler, error, stats) {
  if (error || stats.hasErrors()) {
    console.error(
      error ?? stats.toString({ colors: false, all: false, errors: true })
    );
    process.exitCode = 1;
  } else {
    console.log(
      stats.toString({ colors: false, assets: true, modules: false })
    );
  }
  compiler.close(() => undefined);
}
