import { brandingPlugin } from './plugins/branding';
import { instancesPlugin } from './plugins/instances';
import { instanceUiPlugin } from './plugins/instanceUi';
import { kernelChannelPlugin } from './plugins/kernelChannel';
import { siteInfoPlugin } from './plugins/siteInfo';
import { storageQuotaPlugin } from './plugins/storageQuota';

export default [
  siteInfoPlugin,
  brandingPlugin,
  kernelChannelPlugin,
  instancesPlugin,
  instanceUiPlugin,
  storageQuotaPlugin
];
