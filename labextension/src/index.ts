import { brandingPlugin } from './plugins/branding';
import { kernelChannelPlugin } from './plugins/kernelChannel';
import { modelDiscoveryPlugin } from './plugins/modelDiscovery';
import { modelFileTypePlugin } from './plugins/modelFileType';
import { modelsPanelPlugin } from './plugins/modelsPanel';
import { siteInfoPlugin } from './plugins/siteInfo';

export default [
  siteInfoPlugin,
  brandingPlugin,
  kernelChannelPlugin,
  modelDiscoveryPlugin,
  modelFileTypePlugin,
  modelsPanelPlugin
];
