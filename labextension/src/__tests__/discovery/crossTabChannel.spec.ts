import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';

import { CrossTabChannel } from '../../discovery/crossTabChannel';
import {
  delay,
  discover,
  disposeDiscoveries,
  FakeContents,
  manifest,
  modelBase64,
  Storage,
  waitFor
} from './fakes';

afterEach(disposeDiscoveries);

describe('CrossTabChannel', () => {
  const channels: CrossTabChannel[] = [];
  afterEach(() => channels.splice(0).forEach(c => c.close()));

  function open(name: string, heard: string[][]): CrossTabChannel {
    const channel = CrossTabChannel.open(name, paths => heard.push(paths))!;
    channels.push(channel);
    return channel;
  }

  it('tells the other tabs of the same channel, not itself', async () => {
    const name = `test-${Math.random()}`;
    const here: string[][] = [];
    const there: string[][] = [];
    const elsewhere: string[][] = [];
    const tab = open(name, here);
    open(name, there);
    open(`${name}-other`, elsewhere);
    tab.announce(['a.luml', 'f']);
    await waitFor(() => there.length > 0, 'the other tab');
    assert.deepEqual(there, [['a.luml', 'f']]);
    await delay(20);
    assert.deepEqual(here, []);
    assert.deepEqual(elsewhere, []);
  });

  it('passes on at most 1000 paths of a note', async () => {
    const name = `test-${Math.random()}`;
    const heard: string[][] = [];
    open(name, heard);
    const paths = Array.from({ length: 1500 }, (_, i) => `m${i}.luml`);
    open(name, []).announce(paths);
    await waitFor(() => heard.length > 0, 'the note');
    assert.deepEqual(heard[0], paths.slice(0, 1000));
  });

  it('does not throw when announcing on a closed channel', () => {
    const channel = open(`test-${Math.random()}`, []);
    channel.close();
    channel.announce(['a.luml']);
  });
});

describe('ModelDiscovery across tabs', () => {
  it('sees changes made in another tab of the same instance', async () => {
    const storage = new Storage();
    const tabA = new FakeContents(storage);
    const tabB = new FakeContents(storage);
    const channel = `test-${Math.random()}`;
    const a = discover(tabA, channel);
    const b = discover(tabB, channel);
    // another instance on the same site must not hear these
    const other = discover(new FakeContents(storage), `${channel}-other`);
    await Promise.all([a.start(), b.start(), other.start()]);

    await tabA.kernelWrite('shared.luml', modelBase64(manifest('shared')));
    await waitFor(() => b.get('shared.luml') !== undefined, 'tab B');
    assert.ok(b.get('shared.luml')!.result.ok);
    await delay(50);
    assert.equal(other.models.length, 0, 'another instance heard the note');

    tabA.rename('shared.luml', 'sub/shared.luml');
    await waitFor(() => b.get('sub/shared.luml') !== undefined, 'the move');
    assert.equal(b.get('shared.luml'), undefined);

    tabA.delete('sub');
    await waitFor(() => b.models.length === 0, 'the delete');
  });

  it('ignores malformed notes', async () => {
    const channel = `test-${Math.random()}`;
    const contents = new FakeContents();
    const d = discover(contents, channel);
    await d.start();
    const before = contents.calls.length;
    const sender = new BroadcastChannel(channel);
    sender.postMessage({ type: 'luml-models-changed', paths: [1, 2] });
    sender.postMessage('hello');
    sender.postMessage(null);
    await delay(50);
    sender.close();
    assert.equal(contents.calls.length, before);
  });
});
