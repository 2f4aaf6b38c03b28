/**
 * The instance a JupyterLab tab shows: its name (kept in step with renames
 * made anywhere) and whether it still exists.
 */
import { ISignal, Signal } from '@lumino/signaling';

import { InstanceChannel, InstanceNews } from './channel';
import { InstanceStore } from './instanceStore';
import { ICurrentInstance } from './tokens';

export const UNNAMED = 'Unnamed instance';

export class CurrentInstance implements ICurrentInstance {
  constructor(
    readonly id: string,
    fullname: string,
    private readonly _store: InstanceStore,
    private readonly _channel: InstanceChannel
  ) {
    this._fullname = fullname;
    this._stopListening = _channel.listen(news => this._onNews(news));
  }

  get name(): string {
    return this._fullname || UNNAMED;
  }

  get deleted(): boolean {
    return this._deleted;
  }

  get changed(): ISignal<ICurrentInstance, void> {
    return this._changed;
  }

  async rename(fullname: string): Promise<void> {
    const renamed = await this._store.rename(this.id, fullname);
    this._channel.post({
      type: 'renamed',
      id: this.id,
      fullname: renamed.fullname
    });
    this._setName(renamed.fullname);
  }

  async otherNames(): Promise<string[]> {
    return (await this._store.list())
      .filter(info => info.id !== this.id)
      .map(info => info.fullname);
  }

  async check(): Promise<boolean> {
    if (this._deleted) {
      return false;
    }
    const info = await this._store.get(this.id);
    if (!info) {
      this.markDeleted();
      return false;
    }
    this._setName(info.fullname);
    return true;
  }

  /** Record that the instance is gone; tells listeners once. */
  markDeleted(): void {
    if (!this._deleted) {
      this._deleted = true;
      this._changed.emit();
    }
  }

  dispose(): void {
    this._stopListening();
  }

  private _onNews(news: InstanceNews): void {
    if (news.id !== this.id) {
      return;
    }
    if (news.type === 'renamed') {
      this._setName(news.fullname);
    } else if (news.type === 'deleting' || news.type === 'deleted') {
      this.markDeleted();
    }
  }

  private _setName(fullname: string): void {
    if (fullname !== this._fullname) {
      this._fullname = fullname;
      this._changed.emit();
    }
  }

  private _fullname: string;
  private _deleted = false;
  private _changed = new Signal<ICurrentInstance, void>(this);
  private _stopListening: () => void;
}
