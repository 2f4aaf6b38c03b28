/** The instances page (the site's `index.html`). */
import { InstanceChannel } from '../instances/channel';
import { browserInstanceStore } from '../instances/instanceStore';
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

start();
