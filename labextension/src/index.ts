import { backupPlugin } from './plugins/backup';
import { brandingPlugin } from './plugins/branding';
import { defaultsPlugin, defaultsTrackerPlugin } from './plugins/defaults';
import { defaultsFileBrowserPlugin } from './plugins/defaultsFileBrowser';
import { kernelChannelPlugin } from './plugins/kernelChannel';
import { siteInfoPlugin } from './plugins/siteInfo';

export default [
  siteInfoPlugin,
  brandingPlugin,
  kernelChannelPlugin,
  defaultsTrackerPlugin,
  defaultsPlugin,
  defaultsFileBrowserPlugin,
  backupPlugin
];
