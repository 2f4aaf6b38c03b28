import { Widget } from '@lumino/widgets';

/**
 * A plain text label with the product name; text only, never HTML.
 */
export class BrandWidget extends Widget {
  constructor(productName: string) {
    super();
    this.addClass('jp-LumlBrand');
    const name = document.createElement('span');
    name.className = 'jp-LumlBrand-name';
    name.textContent = productName;
    this.node.appendChild(name);
    this.node.title = productName;
  }
}
