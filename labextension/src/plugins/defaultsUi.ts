import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import {
  Dialog,
  ICommandPalette,
  MainAreaWidget,
  Notification,
  showDialog,
  showErrorMessage,
  WidgetTracker
} from '@jupyterlab/apputils';
import { IDocumentManager } from '@jupyterlab/docmanager';
import { IDefaultFileBrowser } from '@jupyterlab/filebrowser';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import {
  ITranslator,
  nullTranslator,
  TranslationBundle
} from '@jupyterlab/translation';

import { CommandIDs, paletteCategory } from '../commands';
import { IDefaultNotebooks, IDefaultStatus } from '../defaults/tokens';
import { errorText } from '../common/errors';

/** The arguments the defaults commands take. */
const PATH_ARGS = {
  args: {
    type: 'object' as const,
    properties: {
      path: {
        type: 'string' as const,
        description:
          'The default file; without it, the file browser selection or the current document.'
      }
    }
  }
};

/**
 * The Default Notebooks view, Compare and Reset, and the notice after a
 * deploy that ships a newer version of a file the user edited.
 */
export const defaultsUiPlugin: JupyterFrontEndPlugin<void> = {
  id: 'luml-notebooks:defaults-ui',
  description:
    'Shows the state of the default files; compares and resets them; tells about updates.',
  autoStart: true,
  requires: [IDefaultNotebooks],
  optional: [
    ITranslator,
    ICommandPalette,
    IDocumentManager,
    IDefaultFileBrowser,
    ILayoutRestorer,
    ISettingRegistry
  ],
  activate: (
    app: JupyterFrontEnd,
    defaults: IDefaultNotebooks,
    translator: ITranslator | null,
    palette: ICommandPalette | null,
    docManager: IDocumentManager | null,
    browser: IDefaultFileBrowser | null,
    restorer: ILayoutRestorer | null,
    settingRegistry: ISettingRegistry | null
  ): void => {
    const trans = (translator ?? nullTranslator).load('luml_notebooks');
    const { commands, shell } = app;
    const views = new WidgetTracker<MainAreaWidget>({
      namespace: 'luml-notebooks-defaults'
    });
    const compareViews = new Map<string, MainAreaWidget>();
    let compareCount = 0;

    const open = (path: string) => {
      if (docManager) {
        docManager.openOrReveal(path);
      } else {
        void commands.execute('docmanager:open', { path });
      }
    };

    /** The default a command acts on: its argument, the file browser row, or the current document. */
    const targetPath = (args: { path?: unknown }): string | null => {
      if (typeof args.path === 'string') {
        return args.path;
      }
      if (
        browser &&
        app.contextMenuHitTest(node => node.matches('.jp-DirListing-item'))
      ) {
        const item = browser.selectedItems().next();
        return item.done ? null : item.value.path;
      }
      const current = shell.currentWidget;
      const context = current && docManager?.contextForWidget(current);
      return context ? context.localPath : null;
    };

    const changedDefault = (path: string | null): boolean =>
      !!path && (defaults.status(path)?.state ?? 'shipped') !== 'shipped';

    commands.addCommand(CommandIDs.openDefaults, {
      label: trans.__('Default Notebooks'),
      caption: trans.__('The files shipped with the site, and your copies'),
      describedBy: { args: { type: 'object', properties: {} } },
      isVisible: () => defaults.enabled,
      execute: async () => {
        let view = views.currentWidget;
        if (!view || view.isDisposed) {
          const { DefaultsPanel } =
            await import('../defaults/widgets/DefaultsPanel');
          const panel = new DefaultsPanel(
            defaults,
            {
              open,
              compare: path =>
                void commands.execute(CommandIDs.compareDefault, { path }),
              reset: path =>
                void commands.execute(CommandIDs.resetDefault, { path })
            },
            trans
          );
          view = new MainAreaWidget({ content: panel });
          view.id = 'luml-notebooks-defaults';
          view.title.label = trans.__('Default Notebooks');
          view.title.closable = true;
          void views.add(view);
          shell.add(view, 'main');
        }
        shell.activateById(view.id);
        return view;
      }
    });

    commands.addCommand(CommandIDs.compareDefault, {
      label: args =>
        typeof args.path === 'string'
          ? trans.__('Compare %1 with Shipped Version', args.path)
          : trans.__('Compare with Shipped Version'),
      caption: trans.__('Show how your copy differs from the shipped version'),
      describedBy: PATH_ARGS,
      isEnabled: args => changedDefault(targetPath(args)),
      isVisible: () => defaults.enabled,
      execute: async args => {
        const path = targetPath(args);
        if (!path || !defaults.isDefault(path)) {
          return;
        }
        try {
          const [comparison, { DefaultDiffView }] = await Promise.all([
            defaults.compare(path),
            import('../defaults/widgets/DefaultDiffView')
          ]);
          compareViews.get(path)?.dispose();
          const content = new DefaultDiffView(
            comparison,
            {
              openYours: open,
              reset: p =>
                void commands.execute(CommandIDs.resetDefault, { path: p })
            },
            trans
          );
          const view = new MainAreaWidget({ content });
          view.id = `luml-notebooks-compare-${++compareCount}`;
          view.title.label = trans.__('Compare: %1', path);
          view.title.caption = trans.__(
            '%1: the shipped version and your copy',
            path
          );
          view.title.closable = true;
          view.disposed.connect(() => {
            if (compareViews.get(path) === view) {
              compareViews.delete(path);
            }
          });
          compareViews.set(path, view);
          shell.add(view, 'main');
          shell.activateById(view.id);
        } catch (error) {
          await showErrorMessage(
            trans.__('Could not compare %1', path),
            trans.__(
              '%1 Check that the site can be reached and try again.',
              errorText(error)
            )
          );
        }
      }
    });
    commands.addCommand(CommandIDs.resetDefault, {
      label: args =>
        typeof args.path === 'string'
          ? trans.__('Reset %1 to Shipped Version…', args.path)
          : trans.__('Reset to Shipped Version…'),
      caption: trans.__(
        'Bring back the shipped version; your copy can be kept beside it'
      ),
      describedBy: PATH_ARGS,
      isEnabled: args => changedDefault(targetPath(args)),
      isVisible: () => defaults.enabled,
      execute: async args => {
        const path = targetPath(args);
        if (!path || !defaults.isDefault(path)) {
          return;
        }
        await resetDefault(path);
      }
    });

    const resetDefault = async (path: string) => {
      const widget = docManager?.findWidget(path);
      const context = widget ? docManager?.contextForWidget(widget) : undefined;
      let keptAs: string;
      try {
        keptAs = await defaults.keptCopyPath(path);
      } catch (error) {
        await showErrorMessage(
          trans.__('Could not reset %1', path),
          errorText(error)
        );
        return;
      }
      const { ResetDialogBody } =
        await import('../defaults/widgets/ResetDialogBody');
      const result = await showDialog({
        title: trans.__('Reset to the shipped version?'),
        body: new ResetDialogBody({
          path,
          keptAs,
          unsavedOpen: !!context?.model.dirty,
          trans
        }),
        buttons: [
          Dialog.cancelButton({ label: trans.__('Cancel') }),
          Dialog.warnButton({ label: trans.__('Reset') })
        ],
        defaultButton: 0
      });
      if (!result.button.accept || !result.value) {
        return;
      }
      try {
        const done = await defaults.reset(path, {
          keepCopy: result.value.keepCopy
        });
        // an open document shows the shipped version now; right after the
        // browser copy is deleted the drive can briefly answer without
        // content, so wait for the shipped file before reloading
        if (context && !context.isDisposed) {
          await whenReadable(app.serviceManager.contents, path);
          await context.revert();
        }
        compareViews.get(path)?.dispose();
        const kept = done.keptAs;
        Notification.success(
          kept
            ? trans.__(
                '%1 is back to the shipped version. Your copy is %2.',
                path,
                kept
              )
            : trans.__('%1 is back to the shipped version.', path),
          {
            autoClose: 8000,
            actions: kept
              ? [
                  {
                    label: trans.__('Open your copy'),
                    callback: () => open(kept)
                  }
                ]
              : []
          }
        );
      } catch (error) {
        await showErrorMessage(
          trans.__('Could not reset %1', path),
          trans.__('%1 Your copy was left as it was.', errorText(error))
        );
      }
    };

    if (palette) {
      for (const command of [
        CommandIDs.openDefaults,
        CommandIDs.compareDefault,
        CommandIDs.resetDefault
      ]) {
        palette.addItem({ command, category: paletteCategory(trans) });
      }
    }
    // the File menu and file browser entries are declared in
    // schema/defaults-ui.json; without defaults the commands are hidden
    if (restorer && defaults.enabled) {
      void restorer.restore(views, {
        command: CommandIDs.openDefaults,
        name: () => 'defaults'
      });
    }

    if (defaults.enabled) {
      const notifyUpdates = settingRegistry
        ? settingRegistry
            .load(defaultsUiPlugin.id)
            .then(settings => settings.get('notifyUpdates').composite !== false)
            .catch(error => {
              console.warn('Could not load the default files settings', error);
              return true;
            })
        : Promise.resolve(true);
      void Promise.all([defaults.ready, notifyUpdates]).then(
        async ([, wanted]) => {
          if (wanted) {
            notifyAbout(await defaults.takeUpdateNotices(), commands, trans);
          }
        }
      );
    }
  }
};

/** Tell the user that newer versions of defaults they edited were shipped. */
function notifyAbout(
  updates: IDefaultStatus[],
  commands: JupyterFrontEnd['commands'],
  trans: TranslationBundle
): void {
  if (updates.length === 0) {
    return;
  }
  const review = {
    label: trans.__('Review'),
    caption: trans.__('Open Default Notebooks'),
    callback: () => void commands.execute(CommandIDs.openDefaults)
  };
  if (updates.length === 1) {
    const { path } = updates[0];
    Notification.info(
      trans.__(
        'A newer version of %1 has been shipped. Your copy is kept until you reset it.',
        path
      ),
      {
        autoClose: false,
        actions: [
          {
            label: trans.__('Compare'),
            callback: () =>
              void commands.execute(CommandIDs.compareDefault, { path })
          },
          review
        ]
      }
    );
    return;
  }
  Notification.info(
    trans.__(
      'Newer versions of %1 default files have been shipped: %2. Your copies are kept until you reset them.',
      updates.length,
      updates.map(u => u.path).join(', ')
    ),
    { autoClose: false, actions: [review] }
  );
}

/** Resolve once `path` reads back with content (a few tries, then give up). */
async function whenReadable(
  contents: { get(path: string, options?: any): Promise<{ content: any }> },
  path: string
): Promise<void> {
  for (let attempt = 0; attempt < 20; attempt++) {
    try {
      if ((await contents.get(path, { content: true })).content !== null) {
        return;
      }
    } catch {
      // not there yet
    }
    await new Promise(resolve => setTimeout(resolve, 100));
  }
}
