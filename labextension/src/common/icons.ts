import { LabIcon } from '@jupyterlab/ui-components';

// A box seen from a corner: a packaged model. Themed through jp-icon3.
const MODEL_SVG = `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 24 24"><path class="jp-icon3" fill="#616161" d="M12 2 3 7v10l9 5 9-5V7l-9-5zm0 2.3L18.7 8 12 11.7 5.3 8 12 4.3zM5 9.7l6 3.3v6.6l-6-3.3V9.7zm8 9.9V13l6-3.3v6.6l-6 3.3z"/></svg>`;

export const modelIcon = new LabIcon({
  name: 'luml-notebooks:model',
  svgstr: MODEL_SVG
});
