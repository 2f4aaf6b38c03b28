import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { PageConfig } from '@jupyterlab/coreutils';

// eslint-disable-next-line jupyter/prefer-lazy-imports -- the plugin provides the site facts at activation
import { readSiteInfo } from '../siteInfo';
import { ISiteInfo } from '../tokens';

/**
 * Provides the build-time facts of the site to the other plugins.
 */
export const siteInfoPlugin: JupyterFrontEndPlugin<ISiteInfo> = {
  id: 'luml-notebooks:site-info',
  description: 'Provides build-time facts about the LUML Notebooks site.',
  autoStart: true,
  provides: ISiteInfo,
  activate: (app: JupyterFrontEnd): ISiteInfo =>
    readSiteInfo(PageConfig.getOption('litePluginSettings'))
};
