import { ClosedError } from '../../lib/index.ts';
import { getTag } from '../message/index.ts';
import type { SipRequest, SipResponse } from '../message/index.ts';
import { Dialog } from './dialog.ts';
import type { DialogOptions } from './dialog.ts';
import { DialogError } from './dialog-error.ts';
import { dialogKey, uacDialogId, uasDialogId } from './dialog-id.ts';
import type { DialogId } from './dialog-id.ts';

/**
 * The dialogs of a UA, by dialog id (§12): matches in-dialog requests and responses to them, keeps
 * the several early dialogs one forked INVITE can create, and forgets a dialog once terminated.
 */
export class DialogStore {
  readonly #dialogs = new Map<string, Dialog>();
  #closed = false;

  get size(): number {
    return this.#dialogs.size;
  }

  values(): Dialog[] {
    return [...this.#dialogs.values()];
  }

  /** Files a dialog; throws when one with the same id exists. Dropped again when it terminates. */
  add(dialog: Dialog): Dialog {
    if (this.#closed) throw new ClosedError('dialog store');
    if (dialog.terminated) throw new DialogError('dialog_terminated', 'cannot store a terminated dialog');
    if (this.#dialogs.has(dialog.key)) throw new DialogError('duplicate_dialog', 'a dialog with this id exists');
    this.#dialogs.set(dialog.key, dialog);
    dialog.once('terminated', () => {
      if (this.#dialogs.get(dialog.key) === dialog) this.#dialogs.delete(dialog.key);
    });
    return dialog;
  }

  get(id: DialogId): Dialog | undefined {
    return this.#dialogs.get(dialogKey(id));
  }

  /** The dialog an incoming request belongs to (local tag = To tag, remote tag = From tag; §12.2.2). */
  findForRequest(request: SipRequest): Dialog | undefined {
    const id = uasDialogId(request);
    return id === undefined ? undefined : this.get(id);
  }

  /** The dialog a response to our request belongs to (local tag = From tag, remote tag = To tag). */
  findForResponse(response: SipResponse): Dialog | undefined {
    const id = uacDialogId(response);
    return id === undefined ? undefined : this.get(id);
  }

  /** Every dialog of a Call-ID and local tag: the forks of one INVITE we sent (§12.1.2, §13.2.2.4). */
  forks(callId: string, localTag: string): Dialog[] {
    return this.values().filter((d) => d.id.callId === callId && d.id.localTag === localTag);
  }

  /**
   * Applies a response to an out-of-dialog request we sent (UAC): a 1xx with To tag creates an early
   * dialog, a 2xx creates or confirms one (§12.1.2, §13.2.2.4: each fork's 2xx is its own dialog),
   * and a 3xx-6xx terminates the early dialogs of that request (§12.3). Returns the
   * dialog, or undefined when the response makes none.
   */
  uacResponse(request: SipRequest, response: SipResponse, options: DialogOptions = {}): Dialog | undefined {
    if (response.status >= 300) {
      const localTag = getTag(request.headers.get('From') ?? '');
      if (localTag !== undefined) {
        for (const d of this.forks(request.callId, localTag)) if (d.state === 'early') d.terminate();
      }
      return undefined;
    }
    if (response.status <= 100 || uacDialogId(response) === undefined) return undefined;
    const existing = this.findForResponse(response);
    if (existing !== undefined) {
      if (response.status >= 200) existing.confirm(response);
      return existing;
    }
    return this.add(Dialog.uac(request, response, options));
  }

  /**
   * Applies a response we send to an out-of-dialog request (UAS): a 1xx with To tag creates the
   * early dialog, a 2xx creates or confirms it (§12.1.1), a 3xx-6xx terminates the early one.
   */
  uasResponse(request: SipRequest, response: SipResponse, options: DialogOptions = {}): Dialog | undefined {
    const localTag = getTag(response.headers.get('To') ?? '');
    const remoteTag = getTag(request.headers.get('From') ?? '');
    if (localTag === undefined || remoteTag === undefined || response.status <= 100) return undefined;
    const existing = this.get({ callId: request.callId, localTag, remoteTag });
    if (response.status >= 300) {
      if (existing?.state === 'early') existing.terminate();
      return undefined;
    }
    if (existing !== undefined) {
      if (response.status >= 200) existing.confirm(response);
      return existing;
    }
    return this.add(Dialog.uas(request, response, options));
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Terminates every dialog (stack shutdown); clears their timers. Idempotent. */
  close(): void {
    this.#closed = true;
    for (const dialog of this.values()) {
      dialog.terminate();
      dialog.removeAllListeners();
    }
    this.#dialogs.clear();
  }
}
