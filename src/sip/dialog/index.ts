export { Dialog, type DialogState, type DialogEvents, type DialogOptions, type InDialogRequestOptions, type AckOptions, type RequestCheck } from './dialog.ts';
export { DialogStore } from './dialog-store.ts';
export { DialogError } from './dialog-error.ts';
export { dialogKey, uasDialogId, uacDialogId, type DialogId } from './dialog-id.ts';
export { Retransmit2xx, type Retransmit2xxOptions } from './retransmit-2xx.ts';
export { inDialogRouting, contactTarget, recordRoutes, type InDialogRouting } from './route-set.ts';
