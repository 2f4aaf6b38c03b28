/**
 * Messages a user reads, as data: a code that names the sentence and the
 * values it names. Pure modules build messages and never translate; the UI
 * renders them with JupyterLab's `TranslationBundle` (domain
 * `luml_notebooks`), the pages and logs with `englishText`.
 *
 * Each feature defines its sentences once, in one catalog, as calls of
 * `trans.__('…%1…', …)`: the same call gives the English text (through
 * `englishText`) and the translated one, and translation tools find the
 * literal sentences there.
 */

/**
 * The part of JupyterLab's `TranslationBundle` a message needs. Declared here,
 * so pure code imports no JupyterLab package; a real bundle fits it as is.
 */
export interface ITextBundle {
  __(msgid: string, ...args: any[]): string;
}

/**
 * A value a message names: text, a number, another message, or a list of
 * them (shown joined by commas).
 */
export type MessageParam = string | number | IMessage | readonly MessageParam[];

export interface IMessage {
  /** `<feature>.<name>`, stable: tests and translations key on it. */
  readonly code: string;
  readonly params: { readonly [name: string]: MessageParam };
}

/** An error whose text is a message (its `.message` is the English text). */
export interface IMessageCarrier {
  readonly userMessage: IMessage;
}

/** One sentence: its parameters arrive already rendered. */
export type MessageText = (
  trans: ITextBundle,
  params: { readonly [name: string]: string | number }
) => string;

const TEXTS = new Map<string, MessageText>();

/**
 * Registers a feature's sentences under `<prefix>.<key>` and returns the
 * function that makes its messages. Code makes messages only through it, so a
 * sentence is registered before any message names it.
 */
export function defineMessages<K extends string>(
  prefix: string,
  texts: { readonly [key in K]: MessageText }
): (key: K, params?: { readonly [name: string]: MessageParam }) => IMessage {
  for (const key of Object.keys(texts) as K[]) {
    TEXTS.set(`${prefix}.${key}`, texts[key]);
  }
  return (key, params = {}) => ({ code: `${prefix}.${key}`, params });
}

/** Every code defined so far (for tests). */
export function messageCodes(): string[] {
  return [...TEXTS.keys()];
}

/** The sentence of a code (for tests). */
export function messageText(code: string): MessageText | undefined {
  return TEXTS.get(code);
}

/**
 * JupyterLab's placeholder rule (`Gettext.strfmt`): `%1`, `%2`… name the
 * arguments, `%%` is a percent sign.
 */
export function formatText(fmt: string, ...args: unknown[]): string {
  return fmt
    .replace(/%%/g, '%% ')
    .replace(/%(\d+)/g, (_, n: string) => String(args[Number(n) - 1]))
    .replace(/%% /g, '%');
}

/** The untranslated texts, as JupyterLab's `nullTranslator` gives them. */
export const englishText: ITextBundle = {
  __: (msgid, ...args) => formatText(msgid, ...args)
};

/** A message's text in `trans`'s language (English by default). */
export function renderMessage(
  message: IMessage,
  trans: ITextBundle = englishText
): string {
  const params: { [name: string]: string | number } = {};
  for (const [name, value] of Object.entries(message.params)) {
    params[name] = renderParam(value, trans);
  }
  const text = TEXTS.get(message.code);
  return text ? text(trans, params) : message.code;
}

function renderParam(value: MessageParam, trans: ITextBundle): string | number {
  if (Array.isArray(value)) {
    return value.map(item => renderParam(item, trans)).join(', ');
  }
  return typeof value === 'object'
    ? renderMessage(value as IMessage, trans)
    : (value as string | number);
}

/** The message an error carries, if it carries one. */
export function messageOf(error: unknown): IMessage | undefined {
  const message = (error as Partial<IMessageCarrier> | null | undefined)
    ?.userMessage;
  return message && typeof message.code === 'string' && TEXTS.has(message.code)
    ? message
    : undefined;
}

/**
 * What went wrong, as a parameter of another message: the error's own
 * message when it has one (so it is translated too), else its text.
 */
export function causeParam(error: unknown): MessageParam {
  return (
    messageOf(error) ?? (error instanceof Error ? error.message : String(error))
  );
}

const plain = defineMessages('common', {
  text: (_trans, params) => String(params.text)
});

/** Text that has no code (the browser's or a server's own words) as a message. */
export function textMessage(text: string): IMessage {
  return plain('text', { text });
}

/** What went wrong, as a message of its own (see `causeParam`). */
export function causeMessage(error: unknown): IMessage {
  return (
    messageOf(error) ??
    textMessage(error instanceof Error ? error.message : String(error))
  );
}
