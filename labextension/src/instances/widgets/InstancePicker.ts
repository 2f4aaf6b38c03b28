import { Dialog } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';

import { IInstanceSummary } from '../tokens';

/**
 * The list of instances to switch to: one button per instance, so arrow-free
 * keyboard use (Tab, Enter) works. Names are text only.
 */
export class InstancePicker
  extends Widget
  implements Dialog.IBodyWidget<string | null>
{
  constructor(
    instances: readonly IInstanceSummary[],
    currentId: string,
    choose: (id: string) => void,
    trans: TranslationBundle
  ) {
    super();
    this.addClass('jp-LumlInstancePicker');
    const list = document.createElement('ul');
    list.className = 'jp-LumlInstancePicker-list';
    for (const instance of instances) {
      const item = document.createElement('li');
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'jp-LumlInstancePicker-item';
      button.dataset.instanceId = instance.id;
      const name = document.createElement('span');
      name.className = 'jp-LumlInstancePicker-name';
      name.textContent = instance.fullname || trans.__('Unnamed instance');
      const detail = document.createElement('span');
      detail.className = 'jp-LumlInstancePicker-detail';
      detail.textContent =
        instance.id === currentId
          ? trans.__('this tab')
          : instance.createdAt
            ? trans.__('created %1', instance.createdAt.toLocaleDateString())
            : '';
      button.append(name, detail);
      if (instance.id === currentId) {
        button.disabled = true;
        button.setAttribute('aria-current', 'true');
      } else {
        button.addEventListener('click', () => {
          this._chosen = instance.id;
          choose(instance.id);
        });
      }
      item.append(button);
      list.append(item);
    }
    if (instances.length <= 1) {
      const none = document.createElement('p');
      none.textContent = trans.__(
        'This is the only instance in this browser. Create more on the instances page.'
      );
      this.node.append(none);
    }
    this.node.append(list);
  }

  getValue(): string | null {
    return this._chosen;
  }

  protected onAfterAttach(): void {
    this.node
      .querySelector<HTMLButtonElement>(
        '.jp-LumlInstancePicker-item:not(:disabled)'
      )
      ?.focus();
  }

  private _chosen: string | null = null;
}
