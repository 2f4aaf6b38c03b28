import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { FileBrowser, IFileBrowserFactory } from '@jupyterlab/filebrowser';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';

import { IDefaultNotebooks } from '../defaults/tokens';
import { DefaultsDecorator } from '../defaults/widgets/DefaultsDecorator';

/**
 * Shows each default file's state in the file browsers: as shipped, edited
 * by you, or a newer version shipped.
 */
export const defaultsFileBrowserPlugin: JupyterFrontEndPlugin<void> = {
  id: 'luml-notebooks:defaults-file-browser',
  description: 'Marks the default files in the file browser with their state.',
  autoStart: true,
  requires: [IDefaultNotebooks, IFileBrowserFactory],
  optional: [ITranslator, ISettingRegistry],
  activate: (
    app: JupyterFrontEnd,
    defaults: IDefaultNotebooks,
    factory: IFileBrowserFactory,
    translator: ITranslator | null,
    settingRegistry: ISettingRegistry | null
  ): void => {
    const trans = (translator ?? nullTranslator).load('luml_notebooks');
    if (!defaults.enabled) {
      return;
    }
    const decorators = new Set<DefaultsDecorator>();
    let enabled = true;
    const decorate = (browser: FileBrowser) => {
      const decorator = new DefaultsDecorator(browser, defaults, trans);
      decorator.enabled = enabled;
      decorators.add(decorator);
      browser.disposed.connect(() => decorators.delete(decorator));
    };
    factory.tracker.forEach(decorate);
    factory.tracker.widgetAdded.connect((_, browser) => decorate(browser));

    if (settingRegistry) {
      void settingRegistry
        .load(defaultsFileBrowserPlugin.id)
        .then(settings => {
          const apply = () => {
            enabled = settings.get('showState').composite !== false;
            decorators.forEach(d => (d.enabled = enabled));
          };
          settings.changed.connect(apply);
          apply();
        })
        .catch(error =>
          console.warn('Could not load the file browser settings', error)
        );
    }
  }
};
