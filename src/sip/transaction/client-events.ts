import type { SipResponse } from '../message/index.ts';
import type { TransactionEvents } from './transaction.ts';

/** Events a client transaction reports to its transaction user (RFC 3261 §17.1). */
export type ClientTransactionEvents<S extends string> = TransactionEvents<S> & {
  /** A 1xx response passed up to the TU. */
  provisional: [response: SipResponse];
  /** The first final response passed up to the TU. */
  final: [response: SipResponse];
  /** Timer B or F fired before a final response arrived. */
  timeout: [];
  /** The transport failed to send the request (§17.1.4). */
  transportError: [error: Error];
};
