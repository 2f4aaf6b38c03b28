import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { PageConfig } from '@jupyterlab/coreutils';

import { readSiteInfo } from '../site/siteInfo';
import { ISiteInfo } from '../site/tokens';

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
