/**
 * The page a JupyterLab URL shows instead of starting when it cannot open an
 * instance: nothing is created under an id that is not there.
 */
import { element } from '../common/dom';

export interface IProblem {
  title: string;
  lines: string[];
}

/** Replace the page with `problem` and a way back to the instances page. */
export function showProblemPage(problem: IProblem, instancesUrl: string): void {
  document.title = `${problem.title} · LUML Notebooks`;
  const style = element('style', {
    text: `
      body { margin: 0; font-family: system-ui, -apple-system, 'Segoe UI', sans-serif;
        background: #f7f7f8; color: #1f2328; }
      .jp-LumlProblem { max-width: 40rem; margin: 12vh auto; padding: 2rem;
        background: #fff; border: 1px solid #d0d7de; border-radius: 8px; }
      .jp-LumlProblem h1 { font-size: 1.4rem; margin: 0 0 1rem; overflow-wrap: anywhere; }
      .jp-LumlProblem p { line-height: 1.5; overflow-wrap: anywhere; }
      .jp-LumlProblem a { color: #0b57d0; font-weight: 600; }
    `
  });
  const main = element('main', { className: 'jp-LumlProblem' }, [
    element('h1', { text: problem.title }),
    ...problem.lines.map(line => element('p', { text: line })),
    element('p', {}, [
      element('a', {
        className: 'jp-LumlProblem-back',
        text: 'Go to the instances page',
        attrs: { href: instancesUrl }
      })
    ])
  ]);
  const show = () => {
    document.head.append(style);
    document.body.replaceChildren(main);
    document.body.className = '';
  };
  // the boot runs in the page's head, possibly before the body exists
  if (document.body) {
    show();
  } else {
    document.addEventListener('DOMContentLoaded', show, { once: true });
  }
}
