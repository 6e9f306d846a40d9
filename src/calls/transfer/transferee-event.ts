import type { CallContext } from '../call-context.ts';
import type { Channel } from '../channel.ts';

/** Where a transfer came from: the call command, a phone's REFER, or an INVITE with Replaces. */
export type TransferSource = 'api' | 'refer' | 'replaces';

/** What a CHANNEL_TRANSFEREE event says about the transfer (besides the common block). */
export interface TransfereeEvent {
  readonly transferee: Channel;
  readonly transferor: Channel;
  /** The leg the transferee now talks to; undefined when a callflow took it (park, play...). */
  readonly target: Channel | undefined;
  /** The number or URI transferred to. */
  readonly transferTo: string;
  readonly type: 'blind' | 'attended';
  readonly source: TransferSource;
}

/**
 * Publishes KAZOO's synthetic `CHANNEL_TRANSFEREE` for the transferee (reference §3.8:
 * `Disposition: SUCCESS`, `Raw-Application-Name: sofia::transferee`, `Target-Call-ID`), with the
 * kapi.call.event transfer fields normalised (`transfer_to`, `transfer_type`) and the legs named.
 */
export function publishTransferee(context: CallContext, e: TransfereeEvent): void {
  if (e.transferee.closed) return;
  context.notifier.publish(e.transferee, 'CHANNEL_TRANSFEREE', {
    disposition: 'SUCCESS',
    raw_application_name: 'sofia::transferee',
    transfer_disposition: 'SUCCESS',
    transfer_type: e.type,
    transfer_source: e.source,
    transfer_to: e.transferTo,
    transferee_call_id: e.transferee.uuid,
    transferor_call_id: e.transferor.uuid,
    ...(e.target !== undefined ? { target_call_id: e.target.uuid } : {}),
  });
}
