import { Notification } from '@jupyterlab/apputils';

/** Shown only for work that lasts longer than this. */
const SHOW_AFTER_MS = 1000;
/** Updates at most this often: a toast re-renders on each update. */
const UPDATE_EVERY_MS = 250;

/**
 * A progress toast with a Cancel button for long work, shown once the work
 * has taken a second, so quick backups do not flash a notification.
 */
export class ProgressNotice {
  constructor(
    private readonly _title: string,
    private readonly _cancelLabel: string,
    private readonly _controller: AbortController
  ) {
    this._timer = setTimeout(() => this._show(), SHOW_AFTER_MS);
  }

  /** Sets the message and the fraction done (0 to 1). */
  update(message: string, fraction: number): void {
    this._message = message;
    this._fraction = Math.min(1, Math.max(0, fraction));
    const now = Date.now();
    if (this._id && now - this._lastUpdate >= UPDATE_EVERY_MS) {
      this._lastUpdate = now;
      Notification.update({
        id: this._id,
        message: this._text(),
        type: 'in-progress',
        progress: this._fraction,
        autoClose: false,
        actions: this._actions()
      });
    }
  }

  dispose(): void {
    clearTimeout(this._timer);
    if (this._id) {
      Notification.dismiss(this._id);
      this._id = null;
    }
  }

  private _show(): void {
    this._id = Notification.emit(this._text(), 'in-progress', {
      autoClose: false,
      progress: this._fraction,
      actions: this._actions()
    });
  }

  private _text(): string {
    return this._message ? `${this._title}: ${this._message}` : this._title;
  }

  private _actions(): Notification.IAction[] {
    return [
      {
        label: this._cancelLabel,
        callback: () => this._controller.abort()
      }
    ];
  }

  private _id: string | null = null;
  private _message = '';
  private _fraction = 0;
  private _lastUpdate = 0;
  private readonly _timer: ReturnType<typeof setTimeout>;
}
