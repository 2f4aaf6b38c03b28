import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import {
  Dialog,
  ICommandPalette,
  Notification,
  showDialog
} from '@jupyterlab/apputils';
import { PageConfig, URLExt } from '@jupyterlab/coreutils';
import { ISettingRegistry } from '@jupyterlab/settingregistry';

import { ApiKeyStore } from '../apiKeyStore';
import { CommandIDs } from '../commands';
import { parseRegistryUrl } from '../registryClient';
import {
  LOCAL_KEY_FILE,
  readRegistryBuildSettings,
  REGISTRY_PLUGIN_ID,
  RegistryConnection
} from '../registryConnection';
import { IRegistryConnection } from '../tokens';
import {
  IConnectionFormValue,
  RegistryConnectionForm
} from '../widgets/RegistryConnectionForm';

const CATEGORY = 'LUML Registry';

/**
 * The Registry connection: URL from the settings (schema `registry.json`,
 * default from the site build), API key in this browser only, and the
 * commands to set, test and forget them.
 */
export const registryPlugin: JupyterFrontEndPlugin<IRegistryConnection> = {
  id: REGISTRY_PLUGIN_ID,
  description: 'The LUML Registry the site pushes models to, and its API key.',
  autoStart: true,
  requires: [ISettingRegistry],
  optional: [ICommandPalette],
  provides: IRegistryConnection,
  activate: async (
    app: JupyterFrontEnd,
    settingRegistry: ISettingRegistry,
    palette: ICommandPalette | null
  ): Promise<IRegistryConnection> => {
    const build = readRegistryBuildSettings(
      PageConfig.getOption('litePluginSettings')
    );
    const connection = new RegistryConnection({
      build,
      keys: new ApiKeyStore(browserStorage()),
      loadLocalKey: async () => {
        const response = await fetch(
          URLExt.join(PageConfig.getBaseUrl(), LOCAL_KEY_FILE),
          { cache: 'no-store', credentials: 'same-origin' }
        );
        return response.ok ? response.json() : undefined;
      }
    });

    let settings: ISettingRegistry.ISettings | undefined;
    try {
      settings = await settingRegistry.load(REGISTRY_PLUGIN_ID);
      const apply = () =>
        connection.setUserUrl(String(settings!.composite.url ?? ''));
      apply();
      settings.changed.connect(apply);
    } catch (error) {
      console.warn('LUML Registry settings could not be loaded', error);
    }

    const saveUrl = async (url: string) => {
      const parsed = parseRegistryUrl(url);
      // the default is stored as '' so a rebuilt site's default applies
      const value =
        !url || (parsed.ok && parsed.url === connection.defaultUrl)
          ? ''
          : parsed.ok
            ? parsed.url
            : url;
      if (settings) {
        await settings.set('url', value);
      } else {
        connection.setUserUrl(value);
      }
    };

    const testValues = async (value: IConnectionFormValue) => {
      // try what is typed without saving it
      const probe = new RegistryConnection({
        build: { url: value.url || connection.defaultUrl },
        keys: new ApiKeyStore(null)
      });
      const parsed = parseRegistryUrl(value.url || connection.defaultUrl);
      const key =
        value.apiKey ||
        (parsed.ok && parsed.url === connection.url
          ? connection.apiKey()
          : undefined);
      if (key) {
        probe.setApiKey(key);
      }
      return probe.testConnection();
    };

    app.commands.addCommand(CommandIDs.registryConnection, {
      label: 'Registry Connection…',
      caption: 'Set the LUML Registry URL and API key, and test them',
      execute: async () => {
        await connection.ready;
        const form = new RegistryConnectionForm({
          url: connection.url,
          defaultUrl: connection.defaultUrl,
          keySource: connection.keySource,
          test: testValues
        });
        const result = await showDialog({
          title: 'LUML Registry Connection',
          body: form,
          buttons: [
            Dialog.cancelButton(),
            Dialog.createButton({
              label: 'Forget Key',
              displayType: 'warn',
              accept: false,
              caption: 'Remove the saved key of this Registry from this browser'
            }),
            Dialog.okButton({ label: 'Save' })
          ],
          focusNodeSelector: 'input'
        });
        const value = result.value;
        if (result.button.label === 'Forget Key') {
          connection.setApiKey(null);
          Notification.info(`The API key for ${connection.url} was removed.`, {
            autoClose: 5000
          });
          return;
        }
        if (!result.button.accept || !value || form.problem()) {
          return;
        }
        await saveUrl(value.url);
        if (value.apiKey) {
          connection.setApiKey(value.apiKey);
        }
      }
    });

    app.commands.addCommand(CommandIDs.testRegistryConnection, {
      label: 'Test Registry Connection',
      caption: 'Check the LUML Registry URL and API key',
      execute: async () => {
        const id = Notification.emit(
          `Testing the connection to ${connection.url}…`,
          'in-progress',
          { autoClose: false }
        );
        const report = await connection.testConnection();
        Notification.update({
          id,
          message: report.message,
          type: report.ok ? 'success' : 'error',
          autoClose: report.ok ? 5000 : false,
          actions: report.ok
            ? []
            : [
                {
                  label: 'Open Connection Settings',
                  callback: () =>
                    void app.commands.execute(CommandIDs.registryConnection)
                }
              ]
        });
        return report.ok;
      }
    });

    app.commands.addCommand(CommandIDs.forgetRegistryKey, {
      label: 'Forget Registry API Key',
      caption: 'Remove the API key of the current Registry from this browser',
      isEnabled: () => connection.keySource === 'browser',
      execute: () => {
        connection.setApiKey(null);
        Notification.info(`The API key for ${connection.url} was removed.`, {
          autoClose: 5000
        });
      }
    });

    if (palette) {
      for (const command of [
        CommandIDs.registryConnection,
        CommandIDs.testRegistryConnection,
        CommandIDs.forgetRegistryKey
      ]) {
        palette.addItem({ command, category: CATEGORY });
      }
    }
    connection.changed.connect(() => app.commands.notifyCommandChanged());
    return connection;
  }
};

/** localStorage, or null where the browser blocks it. */
function browserStorage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}
