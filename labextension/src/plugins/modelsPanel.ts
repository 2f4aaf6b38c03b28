import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import {
  ICommandPalette,
  MainAreaWidget,
  Notification,
  WidgetTracker
} from '@jupyterlab/apputils';
import { PathExt } from '@jupyterlab/coreutils';
import { FileBrowser, IDefaultFileBrowser } from '@jupyterlab/filebrowser';
import {
  deleteIcon,
  downloadIcon,
  fileUploadIcon,
  folderIcon,
  inspectorIcon,
  refreshIcon
} from '@jupyterlab/ui-components';
import { ReadonlyPartialJSONObject } from '@lumino/coreutils';

import { CommandIDs } from '../commands';
import { modelIcon } from '../icons';
import { isModelPath } from '../modelDiscovery';
import { downloadFile, fileName } from '../modelFiles';
import { IModelDiscovery } from '../tokens';
import { confirmDeleteModel } from '../widgets/confirmDelete';
import type { InspectView } from '../widgets/InspectView';
import { ModelsPanel } from '../widgets/ModelsPanel';
import { MODEL_FILE_TYPE } from './modelFileType';

const CATEGORY = 'LUML Models';
const PANEL_ID = 'luml-notebooks-models';
const ROW_SELECTOR = '.jp-LumlModels-item';
const FILE_SELECTOR = `.jp-DirListing-item[data-file-type="${MODEL_FILE_TYPE}"]`;
// downloads above this size get a progress notification
const LARGE_DOWNLOAD_BYTES = 20 * 1024 * 1024;

/**
 * The Models sidebar, the Inspect view and the model commands (palette,
 * panel and file browser context menus).
 */
export const modelsPanelPlugin: JupyterFrontEndPlugin<void> = {
  id: 'luml-notebooks:models-panel',
  description: 'The Models sidebar: inspect, download and delete models.',
  autoStart: true,
  requires: [IModelDiscovery],
  optional: [ILayoutRestorer, ICommandPalette, IDefaultFileBrowser],
  activate: (
    app: JupyterFrontEnd,
    discovery: IModelDiscovery,
    restorer: ILayoutRestorer | null,
    palette: ICommandPalette | null,
    fileBrowser: FileBrowser | null
  ): void => {
    const { commands, shell } = app;
    const contents = app.serviceManager.contents;

    const panel = new ModelsPanel({ discovery, commands });
    panel.id = PANEL_ID;
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

    /** The model a command acts on: its argument, else the selection. */
    const pathOf = (args: ReadonlyPartialJSONObject): string | null => {
      if (typeof args.path === 'string' && args.path) {
        return args.path;
      }
      if (args.from === 'file-browser') {
        for (const item of fileBrowser?.selectedItems() ?? []) {
          if (item.type !== 'directory' && isModelPath(item.path)) {
            return item.path;
          }
        }
        return null;
      }
      return panel.selectedPath;
    };
    const hasModel = (args: ReadonlyPartialJSONObject) => pathOf(args) !== null;
    const nameOf = (path: string): string => fileName(path);

    let inspectCount = 0;
    const inspect = async (
      path: string
    ): Promise<MainAreaWidget<InspectView>> => {
      const open = tracker.find(w => w.content.path === path);
      if (open) {
        shell.activateById(open.id);
        return open;
      }
      // loaded on first use: most sessions never inspect a model
      const { InspectView } = await import('../widgets/InspectView');
      const again = tracker.find(w => w.content.path === path);
      if (again) {
        shell.activateById(again.id);
        return again;
      }
      const content = new InspectView({
        path,
        contents,
        discovery,
        commands
      });
      const widget = new MainAreaWidget({ content });
      widget.id = `luml-notebooks-inspect-${++inspectCount}`;
      shell.add(widget, 'main');
      void tracker.add(widget);
      shell.activateById(widget.id);
      return widget;
    };

    commands.addCommand(CommandIDs.showModels, {
      describedBy: {
        args: {
          type: 'object',
          properties: {
            path: {
              type: 'string',
              description: 'A model file to select in the panel'
            },
            from: {
              type: 'string',
              enum: ['file-browser'],
              description: 'Select the model selected in the file browser'
            }
          }
        }
      },
      label: args =>
        args.from === 'file-browser' ? 'Show in Models Panel' : 'Show Models',
      caption: 'Show the models of this instance',
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
      label: 'Refresh Models',
      caption: 'Look for model files in every folder again',
      icon: refreshIcon,
      execute: () => discovery.refresh()
    });

    commands.addCommand(CommandIDs.inspectModel, {
      describedBy: {
        args: {
          type: 'object',
          properties: {
            path: {
              type: 'string',
              description:
                'The model file; default: the model selected in the Models panel'
            },
            from: {
              type: 'string',
              enum: ['file-browser'],
              description: 'Act on the model selected in the file browser'
            }
          }
        }
      },
      label: 'Inspect Model',
      caption:
        'Show what the model file holds: manifest, inputs, metrics, card',
      icon: inspectorIcon,
      isEnabled: hasModel,
      execute: args => {
        const path = pathOf(args);
        return path ? inspect(path) : undefined;
      }
    });

    commands.addCommand(CommandIDs.showModelInFileBrowser, {
      describedBy: {
        args: {
          type: 'object',
          properties: {
            path: {
              type: 'string',
              description:
                'The model file; default: the model selected in the Models panel'
            },
            from: {
              type: 'string',
              enum: ['file-browser'],
              description: 'Act on the model selected in the file browser'
            }
          }
        }
      },
      label: 'Show in File Browser',
      caption: 'Open the folder of the model file and select it',
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
      describedBy: {
        args: {
          type: 'object',
          properties: {
            path: {
              type: 'string',
              description:
                'The model file; default: the model selected in the Models panel'
            },
            from: {
              type: 'string',
              enum: ['file-browser'],
              description: 'Act on the model selected in the file browser'
            }
          }
        }
      },
      label: 'Download Model',
      caption: 'Save the model file, byte for byte, to your computer',
      icon: downloadIcon,
      isEnabled: hasModel,
      execute: async args => {
        const path = pathOf(args);
        if (!path) {
          return;
        }
        const done = downloadFile(contents, path);
        const size = discovery.get(path)?.size ?? 0;
        if (size > LARGE_DOWNLOAD_BYTES) {
          Notification.promise(
            done.then(() => null),
            {
              pending: { message: `Preparing ${nameOf(path)} for download…` },
              success: { message: () => `${nameOf(path)} is downloading.` },
              error: {
                message: e =>
                  `${nameOf(path)} could not be downloaded: ${errorText(e)}`
              }
            }
          );
        }
        try {
          await done;
        } catch (e) {
          if (size <= LARGE_DOWNLOAD_BYTES) {
            Notification.error(
              `${nameOf(path)} could not be downloaded: ${errorText(e)}`
            );
          }
        }
      }
    });

    commands.addCommand(CommandIDs.pushModel, {
      describedBy: {
        args: {
          type: 'object',
          properties: {
            path: {
              type: 'string',
              description:
                'The model file; default: the model selected in the Models panel'
            },
            from: {
              type: 'string',
              enum: ['file-browser'],
              description: 'Act on the model selected in the file browser'
            }
          }
        }
      },
      label: 'Push to Registry',
      caption: 'Configure a LUML Registry to push models',
      icon: fileUploadIcon,
      // pushing arrives with the Registry connection
      isEnabled: () => false,
      execute: () => undefined
    });

    commands.addCommand(CommandIDs.deleteModel, {
      describedBy: {
        args: {
          type: 'object',
          properties: {
            path: {
              type: 'string',
              description:
                'The model file; default: the model selected in the Models panel'
            },
            from: {
              type: 'string',
              enum: ['file-browser'],
              description: 'Act on the model selected in the file browser'
            }
          }
        }
      },
      label: 'Delete Model',
      caption: "Delete the model file from this browser's storage",
      icon: deleteIcon,
      isEnabled: hasModel,
      execute: async args => {
        const path = pathOf(args);
        if (!path || !(await confirmDeleteModel(nameOf(path), path))) {
          return;
        }
        try {
          await contents.delete(path);
        } catch (e) {
          Notification.error(
            `${nameOf(path)} could not be deleted: ${errorText(e)}`
          );
        }
      }
    });

    panel.selectionChanged.connect(() => commands.notifyCommandChanged());

    // Enter and Delete on a focused row; the menus show them as shortcuts
    const rowFocused = `${ROW_SELECTOR}:focus`;
    commands.addKeyBinding({
      command: CommandIDs.inspectModel,
      keys: ['Enter'],
      selector: rowFocused
    });
    commands.addKeyBinding({
      command: CommandIDs.deleteModel,
      keys: ['Delete'],
      selector: rowFocused
    });

    const rowItems = [
      CommandIDs.inspectModel,
      CommandIDs.showModelInFileBrowser,
      CommandIDs.downloadModel,
      CommandIDs.pushModel,
      CommandIDs.deleteModel
    ];
    rowItems.forEach((command, rank) =>
      app.contextMenu.addItem({ command, selector: ROW_SELECTOR, rank })
    );
    // The file browser has its own Download and Delete for any file.
    const fileItems = [
      CommandIDs.inspectModel,
      CommandIDs.showModels,
      CommandIDs.pushModel
    ];
    app.contextMenu.addItem({
      type: 'separator',
      selector: FILE_SELECTOR,
      rank: 20
    });
    fileItems.forEach((command, i) =>
      app.contextMenu.addItem({
        command,
        selector: FILE_SELECTOR,
        rank: 20 + (i + 1) / 10,
        args: { from: 'file-browser' }
      })
    );

    if (palette) {
      [CommandIDs.showModels, CommandIDs.refreshModels, ...rowItems].forEach(
        command => palette.addItem({ command, category: CATEGORY })
      );
    }
  }
};

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
