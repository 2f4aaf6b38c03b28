import { brandingPlugin } from './plugins/branding';
import { kernelChannelPlugin } from './plugins/kernelChannel';
import { pushPlugin } from './plugins/push';
import { registryPlugin } from './plugins/registry';
import { siteInfoPlugin } from './plugins/siteInfo';

export default [
  siteInfoPlugin,
  brandingPlugin,
  kernelChannelPlugin,
  registryPlugin,
  pushPlugin
];
