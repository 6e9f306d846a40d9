import { getTag } from '../message/index.ts';
import type { SipRequest, SipResponse } from '../message/index.ts';

/** RFC 3261 §12: "A dialog is identified at each UA with a dialog ID, which consists of a Call-ID value, a local tag and a remote tag." */
export interface DialogId {
  readonly callId: string;
  readonly localTag: string;
  readonly remoteTag: string;
}

/** The map key of a dialog id. */
export function dialogKey(id: DialogId): string {
  return `${id.callId}\u0000${id.localTag}\u0000${id.remoteTag}`;
}

/**
 * The dialog id of a request as its receiver (UAS) sees it: local tag = To tag, remote tag = From
 * tag (§12.1.1). Undefined when either tag is missing (§12.2.2: no To tag means no dialog).
 */
export function uasDialogId(request: SipRequest): DialogId | undefined {
  const localTag = getTag(request.headers.get('To') ?? '');
  const remoteTag = getTag(request.headers.get('From') ?? '');
  if (localTag === undefined || remoteTag === undefined) return undefined;
  return { callId: request.callId, localTag, remoteTag };
}

/** The dialog id of a response as the UAC sees it: local tag = From tag, remote tag = To tag (§12.1.2). */
export function uacDialogId(response: SipResponse): DialogId | undefined {
  const localTag = getTag(response.headers.get('From') ?? '');
  const remoteTag = getTag(response.headers.get('To') ?? '');
  if (localTag === undefined || remoteTag === undefined) return undefined;
  return { callId: response.callId, localTag, remoteTag };
}
