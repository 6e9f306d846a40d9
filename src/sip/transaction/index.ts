export { DEFAULT_TIMER_SETTINGS, TIMER_NAMES, timerSettings, timerDuration, type TimerSettings, type TimerName } from './timer-settings.ts';
export { Transaction, IllegalTransitionError, type TransactionContext, type TransactionKind, type TransitionTable, type TransactionEvents } from './transaction.ts';
export { InviteClientTransaction, type InviteClientState, type InviteClientEvents } from './invite-client-transaction.ts';
export { NonInviteClientTransaction, type NonInviteClientState, type NonInviteClientEvents } from './non-invite-client-transaction.ts';
export { InviteServerTransaction, type InviteServerState, type InviteServerEvents } from './invite-server-transaction.ts';
export { NonInviteServerTransaction, type NonInviteServerState, type NonInviteServerEvents } from './non-invite-server-transaction.ts';
export type { ClientTransactionEvents } from './client-events.ts';
export type { ServerTransactionEvents } from './server-events.ts';
export { buildNon2xxAck } from './non-2xx-ack.ts';
export { clientKey, serverKey, cseqOf } from './transaction-key.ts';
export {
  TransactionLayer, type ClientTransaction, type ServerTransaction, type TransactionUser,
  type TransactionLayerOptions, type SendRequestOptions,
} from './transaction-layer.ts';
export { createCancel } from './create-cancel.ts';
