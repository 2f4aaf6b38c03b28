import { brandingPlugin } from './plugins/branding';
import { siteInfoPlugin } from './plugins/siteInfo';

export default [siteInfoPlugin, brandingPlugin];
