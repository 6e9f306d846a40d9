import { SwitchboardError } from '../lib/index.ts';

/** One failed rule, keyed by dotted path (KAZOO's validation error, reference §1.4). */
export interface FieldFailure {
  readonly path: string;
  readonly code: string;
  readonly message: string;
  readonly extra?: Readonly<Record<string, unknown>>;
}

/** Request data that breaks the schema or a domain rule: KAZOO's 400 `validation error`. */
export class ValidationFailed extends SwitchboardError {
  readonly failures: readonly FieldFailure[];
  constructor(failures: readonly FieldFailure[]) {
    super('validation_error', `validation error: ${failures.map((f) => `${f.path}.${f.code}`).join(', ')}`);
    this.failures = failures;
  }
}

/** A doc id that is unknown, deleted, of another type or of another account: 404 `bad_identifier`. */
export class UnknownDocument extends SwitchboardError {
  readonly id: string;
  constructor(id: string) {
    super('bad_identifier', `bad identifier: ${id}`);
    this.id = id;
  }
}

/** The account (or an ancestor) is disabled or expired. */
export class AccountDisabled extends SwitchboardError {
  constructor(accountId: string) {
    super('account_disabled', `account ${accountId} is disabled`);
  }
}
