import type { Doc, StoredDoc, UniqueKey } from '../store/index.ts';
import type { FieldFailure } from './errors.ts';

/** What a kind's hooks know about the write in progress. */
export interface KindContext {
  /** The account doc the document belongs to (for an account: its parent, or itself on update). */
  readonly account: StoredDoc | undefined;
  /** The stored doc on update; undefined on create. */
  readonly existing: StoredDoc | undefined;
}

/**
 * The rules of one KAZOO document type: its schema, what it stores privately, what must be unique,
 * and its listing summary. One file per kind under `kinds/`.
 */
export interface DocKind {
  /** `pvt_type`, e.g. `user`. */
  readonly type: string;
  /** The crossbar noun, e.g. `users`. */
  readonly noun: string;
  /** Our JSON schema's name. */
  readonly schema: string;
  /**
   * Turns validated public data into the doc to store (hash passwords, drop write-only fields), and
   * reports rule failures the schema cannot express.
   */
  prepare?(data: Doc, context: KindContext): Doc | FieldFailure[];
  /** The doc's unique claims after the write. */
  uniqueKeys?(doc: Doc, context: KindContext): UniqueKey[];
  /** The validation failure for a claim another doc holds. */
  uniqueFailure?(claim: UniqueKey, holderId: string): FieldFailure;
  /** The listing item for this doc (KAZOO's crossbar_listing view value). */
  summary(doc: StoredDoc): Doc;
}
