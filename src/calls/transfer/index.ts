export { Transfers, type TransfersOptions, type TransferMusicLookup } from './transfers.ts';
export { UnknownTransferTarget } from './unknown-transfer-target.ts';
export { TransferMachine, TRANSFER_STATES, type TransferState, type TransferMode, type TransferResult, type TransferActions, type TransferParty } from './transfer-machine.ts';
export { parseReferTo, parseReplaces, BadTransferHeader, type ReferTarget, type ReplacesTarget } from './refer-to.ts';
export { ReferSubscription } from './refer-subscription.ts';
export { publishTransferee, type TransfereeEvent, type TransferSource } from './transferee-event.ts';
