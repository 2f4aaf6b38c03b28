import { backupPlugin } from './plugins/backup';
import { brandingPlugin } from './plugins/branding';
import { kernelChannelPlugin } from './plugins/kernelChannel';
import { siteInfoPlugin } from './plugins/siteInfo';

export default [
  siteInfoPlugin,
  brandingPlugin,
  kernelChannelPlugin,
  backupPlugin
];
