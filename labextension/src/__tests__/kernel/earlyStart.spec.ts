import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { Signal } from '@lumino/signaling';

import { kernelRegistered, notebookOfLink } from '../../kernel/earlyStart';

/** The browser's kernels as JupyterLite holds them: none until registered. */
class Kernels {
  specs: { default: string } | null = null;
  readonly changed = new Signal<any, unknown>(this);

  register(name: string): void {
    this.specs = { default: name };
    this.changed.emit(this.specs);
  }
}

describe('notebookOfLink', () => {
  it('names the notebook a link opens, and nothing else', () => {
    assert.equal(notebookOfLink('?path=a/b.ipynb'), 'a/b.ipynb');
    assert.equal(notebookOfLink('?path=data.csv'), null);
    assert.equal(notebookOfLink(''), null);
  });
});

describe('kernelRegistered', () => {
  it('resolves at once when a kernel is registered already', async () => {
    const kernels = new Kernels();
    kernels.register('python');
    await kernelRegistered(kernels as any);
  });

  it('waits for the registration', async () => {
    const kernels = new Kernels();
    let resolved = false;
    const registered = kernelRegistered(kernels as any).then(() => {
      resolved = true;
    });
    await new Promise(resolve => setTimeout(resolve, 10));
    assert.equal(resolved, false);
    kernels.register('python');
    await registered;
    assert.equal(resolved, true);
  });
});
