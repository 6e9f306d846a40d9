import { offnetOptions, type CarrierOutcome, type OffnetRequest } from '../../carriers/index.ts';
import { STOP, type FlowContext, type FlowModule, type FlowOutcome } from '../flow-module.ts';

/** What the carrier modules need: a way to send a call out through the account's carriers. */
export interface OffnetSender {
  offnet(request: OffnetRequest): Promise<CarrierOutcome>;
}

/** `offnet`: sends the dialed number (or `data.to_did`) out through the account's carriers (KAZOO cf_offnet). */
export function offnetModule(carriers: OffnetSender): FlowModule {
  return { name: 'offnet', run: (ctx, data) => sendOffnet(carriers, ctx, data) };
}

/** The `offnet`/`resources` body: no carrier for the number → 404 (or the `_` child). */
export async function sendOffnet(carriers: OffnetSender, ctx: FlowContext, data: Readonly<Record<string, unknown>>): Promise<FlowOutcome> {
  const toDid = data['to_did'];
  const number = typeof toDid === 'string' && toDid !== '' ? toDid : ctx.session.channel.profile.destination;
  const outcome = await carriers.offnet({
    session: ctx.session,
    account: ctx.account,
    number,
    callflowId: ctx.callflow._id,
    options: offnetOptions(data),
  });
  switch (outcome.kind) {
    case 'no_route':
      return { kind: 'failed', status: 404, cause: 'UNALLOCATED_NUMBER' };
    case 'failed':
      return { kind: 'failed', status: outcome.status, cause: outcome.cause };
    default:
      return STOP;
  }
}
