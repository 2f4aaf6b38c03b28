import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';

import { ISiteInfo } from '../site/tokens';
import { BrandWidget } from '../site/BrandWidget';

/**
 * Puts the product name in the top bar, beside the main menu.
 */
export const brandingPlugin: JupyterFrontEndPlugin<void> = {
  id: 'luml-notebooks:branding',
  description: 'Shows the LUML Notebooks name in the top bar.',
  autoStart: true,
  requires: [ISiteInfo],
  activate: (app: JupyterFrontEnd, site: ISiteInfo): void => {
    const brand = new BrandWidget(site.productName);
    brand.id = 'luml-notebooks-brand';
    // Rank 0 puts the name before the menu bar, where users look for it.
    app.shell.add(brand, 'top', { rank: 0 });
  }
};
