/** The instances page (the site's `index.html`). */
import { localStorageOrNull } from '../common/webStorage';
import { InstanceChannel } from '../instances/channel';
import { browserInstanceStore } from '../instances/instanceStore';
import { PAGE_THEME_KEY, pageColorScheme } from '../instances/pageTheme';
import { showProblemPage } from './notFound';
import { InstancesPage } from './InstancesPage';

function start(): void {
  const root = document.getElementById('luml-instances');
  if (!root) {
    return;
  }
  let page: InstancesPage;
  try {
    page = new InstancesPage(
      root,
      browserInstanceStore(),
      new InstanceChannel()
    );
  } catch (error) {
    showProblemPage(
      {
        title: 'This browser cannot keep LUML Notebooks instances',
        lines: [
          error instanceof Error ? error.message : String(error),
          'Private windows and some privacy settings turn off the browser storage instances need.'
        ]
      },
      location.href
    );
    return;
  }
  void page.load();
}

/**
 * Light or dark as chosen in JupyterLab (`data-luml-theme` on the root
 * element), else as the system prefers (the stylesheet's default). The page
 * runs this before its body is parsed, so it never paints in the other
 * scheme first, and again when a JupyterLab tab changes the choice.
 */
function followLabTheme(): void {
  const root = document.documentElement;
  const apply = () => {
    const scheme = pageColorScheme(localStorageOrNull());
    if (scheme) {
      root.dataset.lumlTheme = scheme;
    } else {
      delete root.dataset.lumlTheme;
    }
  };
  apply();
  window.addEventListener('storage', event => {
    if (event.key === PAGE_THEME_KEY || event.key === null) {
      apply();
    }
  });
}

followLabTheme();
if (document.readyState === 'loading') {
  document.addEventListener('DOMContentLoaded', start, { once: true });
} else {
  start();
}
