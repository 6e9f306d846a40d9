import { SwitchboardError } from '../../lib/index.ts';

/** A dialog operation that the dialog's state or the message does not allow (RFC 3261 §12). */
export class DialogError extends SwitchboardError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
