import type { TransactionEvents } from './transaction.ts';

/** Events a server transaction reports to its transaction user (RFC 3261 §17.2). */
export type ServerTransactionEvents<S extends string> = TransactionEvents<S> & {
  /** The transport failed to deliver a response (§17.2.4). */
  transportError: [error: Error];
};
