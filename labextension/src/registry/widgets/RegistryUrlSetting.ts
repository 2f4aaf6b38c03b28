import { TranslationBundle } from '@jupyterlab/translation';
import type { FieldProps } from '@rjsf/utils';
import * as React from 'react';

import { IRegistryConnection } from '../tokens';

export interface IRegistryUrlSettingOptions {
  connection: IRegistryConnection;
  /** Opens the connection dialog (URL and the masked API key). */
  setKey: () => void;
  testConnection: () => void;
  trans: TranslationBundle;
}

/**
 * The `url` field of the settings editor's LUML Registry section: the URL
 * input, and beside it where the API key stands (never the key itself) with
 * buttons to set it and to test the connection.
 */
export function createRegistryUrlSetting(
  options: IRegistryUrlSettingOptions
): (props: FieldProps) => React.ReactElement {
  const { connection, trans } = options;
  return function RegistryUrlSetting(props: FieldProps) {
    const [, redraw] = React.useState(0);
    React.useEffect(() => {
      const changed = () => redraw(n => n + 1);
      connection.changed.connect(changed);
      return () => {
        connection.changed.disconnect(changed);
      };
    }, []);
    const keyStatus =
      connection.keySource === 'browser'
        ? trans.__('API key: saved in this browser for %1.', connection.url)
        : connection.keySource === 'local-registry'
          ? trans.__('API key: provided by the local Registry.')
          : trans.__('API key: not set for %1.', connection.url);
    const id = props.idSchema?.$id ?? 'jp-LumlRegistrySetting-url';
    return React.createElement(
      'div',
      { className: 'jp-LumlRegistrySetting' },
      // a custom field draws its own label
      React.createElement(
        'label',
        {
          htmlFor: id,
          className: 'jp-FormGroup-fieldLabel jp-LumlRegistrySetting-label'
        },
        props.schema?.title ?? trans.__('Registry URL')
      ),
      React.createElement('input', {
        id,
        type: 'url',
        className: 'form-control jp-LumlRegistrySetting-input',
        spellCheck: false,
        value: props.formData ?? '',
        placeholder: connection.defaultUrl,
        disabled: props.disabled || props.readonly,
        onChange: (event: React.ChangeEvent<HTMLInputElement>) =>
          props.onChange(event.target.value)
      }),
      connection.urlProblem
        ? React.createElement(
            'div',
            { className: 'jp-LumlRegistrySetting-problem' },
            trans.__(
              '%1 The site uses %2 until this is fixed.',
              connection.urlProblem,
              connection.defaultUrl
            )
          )
        : null,
      React.createElement(
        'div',
        { className: 'jp-LumlRegistrySetting-key' },
        React.createElement(
          'span',
          { className: 'jp-LumlRegistrySetting-keyStatus' },
          keyStatus
        ),
        React.createElement(
          'button',
          {
            type: 'button',
            className: 'jp-mod-styled jp-mod-reject',
            onClick: options.setKey
          },
          trans.__('Set API Key…')
        ),
        React.createElement(
          'button',
          {
            type: 'button',
            className: 'jp-mod-styled jp-mod-accept',
            onClick: options.testConnection
          },
          trans.__('Test Connection')
        )
      )
    );
  };
}
