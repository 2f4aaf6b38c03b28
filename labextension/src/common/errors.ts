import { englishText, ITextBundle, messageOf, renderMessage } from './messages';

/**
 * The text of anything thrown, for messages people read: the message an
 * error carries in `trans`'s language (English by default), else an Error's
 * message, else the value as a string (a rejected promise may carry anything).
 */
export function errorText(
  error: unknown,
  trans: ITextBundle = englishText
): string {
  const message = messageOf(error);
  if (message) {
    return renderMessage(message, trans);
  }
  return error instanceof Error ? error.message : String(error);
}
