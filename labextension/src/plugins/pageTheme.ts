import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { IThemeManager } from '@jupyterlab/apputils';
import { PageConfig } from '@jupyterlab/coreutils';
import { ISettingRegistry } from '@jupyterlab/settingregistry';

import { litePluginSettings } from '../common/pageConfig';
import { localStorageOrNull } from '../common/webStorage';
import {
  pageThemeOf,
  savePageTheme,
  THEMES_PLUGIN_ID
} from '../instances/pageTheme';
import { IInstances } from '../instances/tokens';

/**
 * Leaves the theme chosen in JupyterLab for the instances page when the tab
 * starts, when its theme settings change, and when a theme is applied (a
 * theme an extension registers late).
 */
export const pageThemePlugin: JupyterFrontEndPlugin<void> = {
  id: 'luml-notebooks:page-theme',
  description:
    'Lets the instances page follow the light or dark theme chosen in JupyterLab.',
  autoStart: true,
  requires: [IInstances],
  optional: [IThemeManager, ISettingRegistry],
  activate: (
    app: JupyterFrontEnd,
    instances: IInstances,
    themes: IThemeManager | null,
    registry: ISettingRegistry | null
  ): void => {
    const storage = localStorageOrNull();
    if (!instances.current || !themes || !registry || !storage) {
      return; // no instances page (a Jupyter server), or nothing to follow
    }
    // JupyterLite's overrides.json, keyed by plugin id like litePluginSettings
    const site = litePluginSettings(
      PageConfig.getOption('settingsOverrides'),
      THEMES_PLUGIN_ID
    );
    void registry.load(THEMES_PLUGIN_ID).then(
      settings => {
        const save = () => {
          const theme = pageThemeOf(
            { user: settings.user, composite: settings.composite, site },
            themes
          );
          if (theme !== undefined) {
            savePageTheme(storage, theme);
          }
        };
        themes.themeChanged.connect(save);
        settings.changed.connect(save);
        save();
      },
      () => undefined // no theme settings: the page follows the system
    );
  }
};
