import { backupPlugin } from './plugins/backup';
import { brandingPlugin } from './plugins/branding';
import { defaultsPlugin } from './plugins/defaults';
import { defaultsUiPlugin } from './plugins/defaultsUi';
import { defaultsFileBrowserPlugin } from './plugins/defaultsFileBrowser';
import { downloadPlugin } from './plugins/download';
import { instancesPlugin } from './plugins/instances';
import { instancePlugin } from './plugins/instance';
import { kernelChannelPlugin } from './plugins/kernelChannel';
import { kernelEarlyStartPlugin } from './plugins/kernelEarlyStart';
import { kernelFilesNoticePlugin } from './plugins/kernelFilesNotice';
import { modelDiscoveryPlugin } from './plugins/modelDiscovery';
import { modelFileTypePlugin } from './plugins/modelFileType';
import { modelsPanelPlugin } from './plugins/modelsPanel';
import { pageThemePlugin } from './plugins/pageTheme';
import { pushCommandPlugin, pushPlugin } from './plugins/push';
import { registryPlugin } from './plugins/registry';
import { siteInfoPlugin } from './plugins/siteInfo';
import { storageQuotaPlugin } from './plugins/storageQuota';
import { storageDrivePlugins } from './plugins/storageDrive';

export default [
  ...storageDrivePlugins,
  siteInfoPlugin,
  brandingPlugin,
  kernelChannelPlugin,
  kernelFilesNoticePlugin,
  kernelEarlyStartPlugin,
  defaultsPlugin,
  defaultsUiPlugin,
  defaultsFileBrowserPlugin,
  backupPlugin,
  downloadPlugin,
  instancesPlugin,
  instancePlugin,
  pageThemePlugin,
  storageQuotaPlugin,
  modelDiscoveryPlugin,
  modelFileTypePlugin,
  modelsPanelPlugin,
  registryPlugin,
  pushPlugin,
  pushCommandPlugin
];
