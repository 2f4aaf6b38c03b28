import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import {
  createToolbarFactory,
  ICommandPalette,
  IToolbarWidgetRegistry,
  MainAreaWidget,
  Notification,
  setToolbar,
  WidgetTracker
} from '@jupyterlab/apputils';
import { PathExt } from '@jupyterlab/coreutils';
import { Contents, IDefaultDrive } from '@jupyterlab/services';
import { FileBrowser, IDefaultFileBrowser } from '@jupyterlab/filebrowser';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import {
  deleteIcon,
  downloadIcon,
  folderIcon,
  inspectorIcon,
  refreshIcon
} from '@jupyterlab/ui-components';
import { ReadonlyPartialJSONObject } from '@lumino/coreutils';

import { CommandIDs, paletteCategory } from '../commands';
import { modelIcon } from '../common/icons';
import {
  downloadFile,
  downloadServerFile,
  downloadStoredFile
} from '../discovery/modelDownload';
import { IModelDiscovery } from '../discovery/tokens';
import { IModelPusher } from '../registry/tokens';
import { ISiteInfo } from '../site/tokens';
// eslint-disable-next-line jupyter/prefer-lazy-imports -- loaded at start by the storage drive; activation needs it at once
import { storedFilesOf } from '../storage/drive';
import { confirmDeleteModel } from '../modelsPanel/confirmDelete';
import type { InspectView } from '../modelsPanel/InspectView';
import {
  MODEL_COMMAND_ARGS,
  modelCommandPath
} from '../modelsPanel/modelCommandTarget';
// eslint-disable-next-line jupyter/prefer-lazy-imports -- the panel sits in the sidebar from the start
import { ModelsPanel } from '../modelsPanel/ModelsPanel';
import {
  MODELS_TOOLBAR,
  modelsToolbarFactories
} from '../modelsPanel/modelsToolbar';
import { IModelsPanel } from '../modelsPanel/tokens';
import { errorText } from '../common/errors';

const PANEL_ID = 'luml-notebooks-models';
// downloads above this size get a progress notification
const LARGE_DOWNLOAD_BYTES = 20 * 1024 * 1024;

/**
 * The Models sidebar, the Inspect view and the model commands (palette,
 * panel and file browser context menus). The push plugin registers Push to
 * Registry; its menu entries are placed here, among the other model commands.
 * The sidebar's toolbar items are declared in the settings
 * (`jupyter.lab.toolbars`), so users can hide or reorder them.
 */
export const modelsPanelPlugin: JupyterFrontEndPlugin<IModelsPanel> = {
  id: 'luml-notebooks:models-panel',
  description: 'The Models sidebar: inspect, download and delete models.',
  autoStart: true,
  requires: [IModelDiscovery, ISettingRegistry, IToolbarWidgetRegistry],
  optional: [
    ILayoutRestorer,
    ICommandPalette,
    IDefaultFileBrowser,
    ITranslator,
    IModelPusher,
    ISiteInfo,
    IDefaultDrive
  ],
  provides: IModelsPanel,
  activate: (
    app: JupyterFrontEnd,
    discovery: IModelDiscovery,
    settingRegistry: ISettingRegistry,
    toolbarRegistry: IToolbarWidgetRegistry,
    restorer: ILayoutRestorer | null,
    palette: ICommandPalette | null,
    fileBrowser: FileBrowser | null,
    translator: ITranslator | null,
    pusher: IModelPusher | null,
    site: ISiteInfo | null,
    drive: Contents.IDrive | null
  ): IModelsPanel => {
    const { commands, shell } = app;
    const contents = app.serviceManager.contents;
    translator = translator ?? nullTranslator;
    const trans = translator.load('luml_notebooks');

    // a server answers byte ranges: Inspect reads headers, not whole models
    // ... and so does browser storage, without loading the file
    const stored = storedFilesOf(drive);
    const openStored = stored
      ? (path: string) => stored.openFile(path)
      : undefined;
    const openServerBytes = async (path: string) => {
      const { ServerModelFiles } =
        await import('../discovery/serverModelFiles');
      return new ServerModelFiles(app.serviceManager.serverSettings).open(path);
    };

    const panel = new ModelsPanel({
      discovery,
      commands,
      translator,
      pushRecords: pusher?.records
    });
    panel.id = PANEL_ID;
    const items = modelsToolbarFactories(translator);
    for (const [name, factory] of Object.entries(items)) {
      toolbarRegistry.addFactory<ModelsPanel>(MODELS_TOOLBAR, name, factory);
    }
    setToolbar(
      panel,
      createToolbarFactory(
        toolbarRegistry,
        settingRegistry,
        MODELS_TOOLBAR,
        modelsPanelPlugin.id,
        translator
      )
    );
    shell.add(panel, 'left', { rank: 150 });
    restorer?.add(panel, PANEL_ID);

    const tracker = new WidgetTracker<MainAreaWidget<InspectView>>({
      namespace: 'luml-notebooks-inspect'
    });
    restorer?.restore(tracker, {
      command: CommandIDs.inspectModel,
      args: widget => ({ path: widget.content.path }),
      name: widget => widget.content.path
    });
    // a moved model keeps its view: remember the new path for restoring
    discovery.changed.connect((_, change) => {
      if (change.renamed.length > 0) {
        // after the views have followed the move (they listen too)
        void Promise.resolve().then(() =>
          tracker.forEach(widget => void tracker.save(widget))
        );
      }
    });

    const sources = {
      panel,
      fileBrowserSelection: () => fileBrowser?.selectedItems() ?? []
    };
    const pathOf = (args: ReadonlyPartialJSONObject) =>
      modelCommandPath(args, sources);
    const hasModel = (args: ReadonlyPartialJSONObject) => pathOf(args) !== null;

    let inspectCount = 0;
    const inspect = async (
      path: string
    ): Promise<MainAreaWidget<InspectView>> => {
      const open = tracker.find(w => w.content.path === path);
      if (open) {
        shell.activateById(open.id);
        return open;
      }
      // loaded on first use: many visits never inspect a model
      const { InspectView } = await import('../modelsPanel/InspectView');
      const again = tracker.find(w => w.content.path === path);
      if (again) {
        shell.activateById(again.id);
        return again;
      }
      const content = new InspectView({
        path,
        contents,
        discovery,
        commands,
        translator,
        openBytes: site?.host === 'server' ? openServerBytes : openStored
      });
      const widget = new MainAreaWidget({ content });
      widget.id = `luml-notebooks-inspect-${++inspectCount}`;
      shell.add(widget, 'main');
      void tracker.add(widget);
      shell.activateById(widget.id);
      return widget;
    };

    commands.addCommand(CommandIDs.showModels, {
      describedBy: MODEL_COMMAND_ARGS,
      label: args =>
        args.from === 'file-browser'
          ? trans.__('Show in Models Panel')
          : trans.__('Show Models'),
      caption: trans.__('Show the models of this instance'),
      icon: modelIcon,
      execute: args => {
        shell.activateById(PANEL_ID);
        const path =
          typeof args.path === 'string' || args.from === 'file-browser'
            ? pathOf(args)
            : null;
        if (path) {
          panel.select(path, true);
        }
      }
    });

    commands.addCommand(CommandIDs.refreshModels, {
      describedBy: { args: { type: 'object', properties: {} } },
      label: trans.__('Refresh Models'),
      caption: trans.__('Look for model files in every folder again'),
      icon: refreshIcon,
      execute: () => discovery.refresh()
    });

    commands.addCommand(CommandIDs.inspectModel, {
      describedBy: MODEL_COMMAND_ARGS,
      label: trans.__('Inspect Model'),
      caption: trans.__(
        'Show what the model file holds: manifest, inputs, metrics, card'
      ),
      icon: inspectorIcon,
      isEnabled: hasModel,
      execute: args => {
        const path = pathOf(args);
        return path ? inspect(path) : undefined;
      }
    });

    commands.addCommand(CommandIDs.showModelInFileBrowser, {
      describedBy: MODEL_COMMAND_ARGS,
      label: trans.__('Show in File Browser'),
      caption: trans.__('Open the folder of the model file and select it'),
      icon: folderIcon,
      isEnabled: hasModel,
      execute: async args => {
        const path = pathOf(args);
        if (!path) {
          return;
        }
        if (!fileBrowser) {
          return commands.execute('filebrowser:go-to-path', { path });
        }
        await fileBrowser.model.cd(`/${PathExt.dirname(path)}`);
        shell.activateById(fileBrowser.id);
        await fileBrowser.selectItemByName(PathExt.basename(path));
      }
    });

    commands.addCommand(CommandIDs.downloadModel, {
      describedBy: MODEL_COMMAND_ARGS,
      label: trans.__('Download Model'),
      caption: trans.__('Save the model file, byte for byte, to your computer'),
      icon: downloadIcon,
      isEnabled: hasModel,
      execute: async args => {
        const path = pathOf(args);
        if (!path) {
          return;
        }
        const name = PathExt.basename(path);
        const failed = (e: unknown) =>
          trans.__('%1 could not be downloaded: %2', name, errorText(e));
        // a server serves raw bytes: no whole-file base64 in the page
        const done =
          site?.host === 'server'
            ? downloadServerFile(contents, path)
            : stored
              ? downloadStoredFile(contents, path)
              : downloadFile(contents, path);
        const large = (discovery.get(path)?.size ?? 0) > LARGE_DOWNLOAD_BYTES;
        if (large) {
          Notification.promise(
            done.then(() => null),
            {
              pending: {
                message: trans.__('Preparing %1 for download…', name)
              },
              success: { message: () => trans.__('%1 is downloading.', name) },
              error: { message: failed }
            }
          );
        }
        try {
          await done;
        } catch (e) {
          if (!large) {
            Notification.error(failed(e));
          }
        }
      }
    });

    commands.addCommand(CommandIDs.deleteModel, {
      describedBy: MODEL_COMMAND_ARGS,
      label: trans.__('Delete Model'),
      caption:
        site?.host === 'server'
          ? trans.__('Delete the model file from the server')
          : trans.__("Delete the model file from this browser's storage"),
      icon: deleteIcon,
      isEnabled: hasModel,
      execute: async args => {
        const path = pathOf(args);
        if (
          !path ||
          !(await confirmDeleteModel(
            PathExt.basename(path),
            path,
            translator,
            site?.host ?? 'browser'
          ))
        ) {
          return;
        }
        try {
          await contents.delete(path);
        } catch (e) {
          Notification.error(
            trans.__(
              '%1 could not be deleted: %2',
              PathExt.basename(path),
              errorText(e)
            )
          );
        }
      }
    });

    panel.selectionChanged.connect(() => commands.notifyCommandChanged());

    // the rows' Enter and Delete shortcuts and the context menus of rows and
    // of model files in the file browser (which has its own Download and
    // Delete) are declared in schema/models-panel.json, so users can change them
    if (palette) {
      const category = paletteCategory(trans);
      [
        CommandIDs.showModels,
        CommandIDs.refreshModels,
        CommandIDs.inspectModel,
        CommandIDs.showModelInFileBrowser,
        CommandIDs.downloadModel,
        CommandIDs.pushModel,
        CommandIDs.deleteModel
      ].forEach(command => palette.addItem({ command, category }));
    }

    return panel;
  }
};
