import { backupPlugin } from './plugins/backup';
import { brandingPlugin } from './plugins/branding';
import { defaultsPlugin, defaultsTrackerPlugin } from './plugins/defaults';
import { defaultsFileBrowserPlugin } from './plugins/defaultsFileBrowser';
import { instancesPlugin } from './plugins/instances';
import { instanceUiPlugin } from './plugins/instanceUi';
import { kernelChannelPlugin } from './plugins/kernelChannel';
import { modelDiscoveryPlugin } from './plugins/modelDiscovery';
import { modelFileTypePlugin } from './plugins/modelFileType';
import { modelsPanelPlugin } from './plugins/modelsPanel';
import { pushPlugin } from './plugins/push';
import { registryPlugin } from './plugins/registry';
import { siteInfoPlugin } from './plugins/siteInfo';
import { storageQuotaPlugin } from './plugins/storageQuota';
import { storageDrivePlugins } from './plugins/storageDrive';

export default [
  ...storageDrivePlugins,
  siteInfoPlugin,
  brandingPlugin,
  kernelChannelPlugin,
  defaultsTrackerPlugin,
  defaultsPlugin,
  defaultsFileBrowserPlugin,
  backupPlugin,
  instancesPlugin,
  instanceUiPlugin,
  storageQuotaPlugin,
  modelDiscoveryPlugin,
  modelFileTypePlugin,
  modelsPanelPlugin,
  registryPlugin,
  pushPlugin
];
