import { formatBytes } from '../common/byteSize';

/**
 * Transfer progress as people read it: bytes done of total, speed over the
 * last few seconds, time left. Pure, so it is tested without a browser.
 */

export interface ITransferSnapshot {
  loaded: number;
  total: number;
  /** Bytes per second over the recent window; undefined until measurable. */
  bytesPerSecond?: number;
  /** Seconds left at the current speed. */
  secondsLeft?: number;
}

export class TransferMeter {
  private _samples: { t: number; loaded: number }[] = [];

  constructor(
    readonly total: number,
    private readonly _windowMs = 3000,
    private readonly _now: () => number = () => Date.now()
  ) {}

  /** Record that `loaded` bytes are done now; returns the current picture. */
  update(loaded: number): ITransferSnapshot {
    const t = this._now();
    const last = this._samples[this._samples.length - 1];
    if (last && loaded < last.loaded) {
      // the transfer restarted (a retry): speed starts over
      this._samples = [];
    }
    this._samples.push({ t, loaded });
    while (
      this._samples.length > 2 &&
      t - this._samples[1].t >= this._windowMs
    ) {
      this._samples.shift();
    }
    return this.snapshot();
  }

  snapshot(): ITransferSnapshot {
    const samples = this._samples;
    const last = samples[samples.length - 1];
    const loaded = last?.loaded ?? 0;
    const first = samples[0];
    let bytesPerSecond: number | undefined;
    if (first && last && last.t - first.t >= 250) {
      bytesPerSecond =
        ((last.loaded - first.loaded) * 1000) / (last.t - first.t);
    }
    const secondsLeft =
      bytesPerSecond && bytesPerSecond > 0
        ? Math.max(0, (this.total - loaded) / bytesPerSecond)
        : undefined;
    return { loaded, total: this.total, bytesPerSecond, secondsLeft };
  }
}

export function formatRate(bytesPerSecond: number | undefined): string {
  return bytesPerSecond === undefined ? '' : `${formatBytes(bytesPerSecond)}/s`;
}

/** "12.3 MB of 50.0 MB · 8.20 MB/s · 5 s left" */
export function describeTransfer(snapshot: ITransferSnapshot): string {
  const parts = [
    `${formatBytes(snapshot.loaded)} of ${formatBytes(snapshot.total)}`
  ];
  if (snapshot.bytesPerSecond !== undefined) {
    parts.push(formatRate(snapshot.bytesPerSecond));
  }
  if (snapshot.secondsLeft !== undefined && snapshot.loaded < snapshot.total) {
    const s = Math.ceil(snapshot.secondsLeft);
    parts.push(
      s >= 60 ? `${Math.floor(s / 60)} min ${s % 60} s left` : `${s} s left`
    );
  }
  return parts.join(' · ');
}
