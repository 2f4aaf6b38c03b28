import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { ReadQueue } from '../../discovery/readQueue';
import { delay } from './fakes';

interface ITask {
  path: string;
  stale?: boolean;
}

/** A queue whose reads wait until released, recording what ran. */
function queue(concurrency = 2) {
  const log = { started: [] as string[], changes: 0, mostAtOnce: 0 };
  const release = new Map<string, () => void>();
  let running = 0;
  const reads = new ReadQueue<ITask>({
    concurrency,
    read: async task => {
      log.started.push(task.path);
      running++;
      log.mostAtOnce = Math.max(log.mostAtOnce, running);
      await new Promise<void>(resolve => release.set(task.path, resolve));
      running--;
      if (task.path.startsWith('bad')) {
        throw new Error('unreadable');
      }
    },
    isStale: task => task.stale === true,
    changed: () => log.changes++
  });
  const finish = async (path: string) => {
    release.get(path)!();
    await delay(1);
  };
  return { reads, log, finish };
}

describe('ReadQueue', () => {
  it('reads at most `concurrency` files at once, in order', async () => {
    const { reads, log, finish } = queue(2);
    ['a', 'b', 'c'].forEach(path => reads.enqueue({ path }));
    assert.deepEqual(log.started, ['a', 'b']);
    assert.deepEqual(reads.paths, ['c', 'a', 'b']);
    let drained = false;
    const drain = reads.drain().then(() => (drained = true));
    await finish('a');
    assert.deepEqual(log.started, ['a', 'b', 'c']);
    await finish('b');
    assert.equal(drained, false);
    await finish('c');
    await drain;
    assert.deepEqual(reads.paths, []);
    assert.equal(log.mostAtOnce, 2);
  });

  it('skips a task made stale while it waited', async () => {
    const { reads, log, finish } = queue(1);
    const later: ITask = { path: 'later' };
    reads.enqueue({ path: 'first' });
    reads.enqueue(later);
    later.stale = true;
    await finish('first');
    assert.deepEqual(log.started, ['first']);
    assert.equal(reads.has('later'), false);
  });

  it('goes on after a read fails', async () => {
    const { reads, log, finish } = queue(1);
    reads.enqueue({ path: 'bad.luml' });
    reads.enqueue({ path: 'good.luml' });
    await finish('bad.luml');
    assert.deepEqual(log.started, ['bad.luml', 'good.luml']);
    await finish('good.luml');
    await reads.drain();
  });

  it('starts a settled read once writes stop; a newer write restarts the wait', async () => {
    const { reads } = queue();
    const fired: string[] = [];
    reads.settle('m.luml', 20, () => fired.push('first'));
    await delay(10);
    reads.settle('m.luml', 20, () => fired.push('second'));
    assert.deepEqual(reads.paths, ['m.luml']);
    assert.equal(reads.has('m.luml'), true);
    await delay(40);
    assert.deepEqual(fired, ['second']);
    assert.equal(reads.has('m.luml'), false);
  });

  it('tells of a cancelled wait, and of nothing when none was set', async () => {
    const { reads, log } = queue();
    reads.cancel('none.luml');
    assert.equal(log.changes, 0);
    let fired = false;
    reads.settle('m.luml', 5, () => (fired = true));
    reads.cancel('m.luml');
    assert.equal(log.changes, 1);
    await delay(20);
    assert.equal(fired, false);
  });

  it('waits in `drain` for reads run outside the queue', async () => {
    const { reads } = queue();
    let done = false;
    reads.track(delay(20).then(() => void (done = true)));
    await reads.drain();
    assert.equal(done, true);
  });

  it('forgets waits and queued tasks when cleared', async () => {
    const { reads, log, finish } = queue(1);
    let fired = false;
    reads.settle('s.luml', 5, () => (fired = true));
    reads.enqueue({ path: 'running' });
    reads.enqueue({ path: 'queued' });
    reads.clear();
    assert.deepEqual(reads.paths, ['running']);
    await finish('running');
    await delay(20);
    assert.equal(fired, false);
    assert.deepEqual(log.started, ['running']);
  });
});
