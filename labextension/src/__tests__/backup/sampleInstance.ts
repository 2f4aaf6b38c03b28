import { randomBytes } from 'node:crypto';

import { fixtureBytes } from '../format/fixtures';
import { MemoryContents } from './memoryContents';
import { plainZip } from './zipTools';

export const NOTEBOOK = {
  cells: [{ cell_type: 'markdown', metadata: {}, source: ['# Привет 🌍'] }],
  metadata: {},
  nbformat: 4,
  nbformat_minor: 5
};

export function sampleInstance(): MemoryContents {
  const contents = new MemoryContents();
  contents.addNotebook('Analysis.ipynb', NOTEBOOK);
  contents.addText('src/train.py', 'print("hello")\n'.repeat(500));
  contents.addText('data/table.csv', 'a,b\n1,2\n'.repeat(2000));
  contents.addBinary(
    'models/deep/weights.bin',
    new Uint8Array(randomBytes(300_000))
  );
  contents.addBinary('models/model.luml', fixtureBytes('sklearn_card.luml'));
  // a stored zip inside the backup: its signatures must not confuse a reader
  contents.addBinary(
    'data/inner.zip',
    plainZip({ 'x.txt': 'x'.repeat(5000), 'y.txt': 'why' })
  );
  contents.addBinary('empty.bin', new Uint8Array(0));
  contents.addFolder('empty');
  contents.addFolder('nested');
  contents.addFolder('nested/empty too');
  return contents;
}
