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
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import { IFormRendererRegistry } from '@jupyterlab/ui-components';

import { ApiKeyStore } from '../registry/apiKeyStore';
import { CommandIDs, paletteCategory } from '../commands';
import { localStorageOrNull } from '../common/webStorage';
import { renderMessage } from '../common/messages';
import {
  LOCAL_KEY_FILE,
  readRegistryBuildSettings,
  REGISTRY_PLUGIN_ID,
  RegistryConnection
} from '../registry/registryConnection';
import { IRegistryConnection } from '../registry/tokens';
import { createRegistryUrlSetting } from '../registry/widgets/RegistryUrlSetting';

const NO_ARGS = { args: { type: 'object', properties: {} } };

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
  optional: [ICommandPalette, ITranslator, IFormRendererRegistry],
  provides: IRegistryConnection,
  activate: async (
    app: JupyterFrontEnd,
    settingRegistry: ISettingRegistry,
    palette: ICommandPalette | null,
    translator: ITranslator | null,
    formRegistry: IFormRendererRegistry | null
  ): Promise<IRegistryConnection> => {
    const trans = (translator ?? nullTranslator).load('luml_notebooks');
    const baseUrl = app.serviceManager.serverSettings.baseUrl;
    const connection = new RegistryConnection({
      build: readRegistryBuildSettings(
        PageConfig.getOption('litePluginSettings')
      ),
      keys: new ApiKeyStore(localStorageOrNull()),
      loadLocalKey: async () => {
        const response = await fetch(URLExt.join(baseUrl, LOCAL_KEY_FILE), {
          cache: 'no-store',
          credentials: 'same-origin'
        });
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

    const forgetKey = () => {
      connection.setApiKey(null);
      Notification.info(
        trans.__(
          'The API key for %1 was removed from this browser.',
          connection.url
        ),
        { autoClose: 5000 }
      );
    };

    app.commands.addCommand(CommandIDs.registryConnection, {
      label: trans.__('Registry Connection…'),
      caption: trans.__('Set the LUML Registry URL and API key, and test them'),
      describedBy: NO_ARGS,
      execute: async () => {
        await connection.ready;
        const { RegistryConnectionForm } =
          await import('../registry/widgets/RegistryConnectionForm');
        const form = new RegistryConnectionForm({
          url: connection.url,
          defaultUrl: connection.defaultUrl,
          keySource: connection.keySource,
          test: value => connection.testWith(value.url, value.apiKey),
          trans
        });
        const forget = trans.__('Forget Key');
        const result = await showDialog({
          title: trans.__('LUML Registry Connection'),
          body: form,
          buttons: [
            Dialog.cancelButton({ label: trans.__('Cancel') }),
            Dialog.createButton({
              label: forget,
              displayType: 'warn',
              accept: false,
              caption: trans.__(
                'Remove the saved key of this Registry from this browser'
              )
            }),
            Dialog.okButton({ label: trans.__('Save') })
          ],
          focusNodeSelector: 'input'
        });
        const value = result.value;
        if (result.button.label === forget) {
          forgetKey();
          return;
        }
        if (!result.button.accept || !value || form.problem()) {
          return;
        }
        const url = connection.settingFor(value.url);
        if (settings) {
          await settings.set('url', url);
        } else {
          connection.setUserUrl(url);
        }
        if (value.apiKey) {
          connection.setApiKey(value.apiKey);
        }
      }
    });

    app.commands.addCommand(CommandIDs.testRegistryConnection, {
      label: trans.__('Test Registry Connection'),
      caption: trans.__('Check the LUML Registry URL and API key'),
      describedBy: NO_ARGS,
      execute: async () => {
        // one notification when the answer is there: a toast updated right
        // after it was emitted can keep its first text
        const report = await connection.testConnection();
        if (report.ok) {
          Notification.success(renderMessage(report.userMessage, trans), {
            autoClose: 5000
          });
        } else {
          Notification.error(renderMessage(report.userMessage, trans), {
            autoClose: false,
            actions: [
              {
                label: trans.__('Open Connection Settings'),
                callback: () =>
                  void app.commands.execute(CommandIDs.registryConnection)
              }
            ]
          });
        }
        return report.ok;
      }
    });

    app.commands.addCommand(CommandIDs.forgetRegistryKey, {
      label: trans.__('Forget Registry API Key'),
      caption: trans.__(
        'Remove the API key of the current Registry from this browser'
      ),
      describedBy: NO_ARGS,
      isEnabled: () => connection.keySource === 'browser',
      execute: forgetKey
    });

    if (palette) {
      const category = paletteCategory(trans);
      for (const command of [
        CommandIDs.registryConnection,
        CommandIDs.testRegistryConnection,
        CommandIDs.forgetRegistryKey
      ]) {
        palette.addItem({ command, category });
      }
    }
    // the settings editor shows the key's state and the two actions by the URL
    formRegistry?.addRenderer(`${REGISTRY_PLUGIN_ID}.url`, {
      fieldRenderer: createRegistryUrlSetting({
        connection,
        setKey: () => void app.commands.execute(CommandIDs.registryConnection),
        testConnection: () =>
          void app.commands.execute(CommandIDs.testRegistryConnection),
        trans
      })
    });
    connection.changed.connect(() => app.commands.notifyCommandChanged());
    return connection;
  }
};
