import type { FlowModule } from '../flow-module.ts';
import { sendOffnet, type OffnetSender } from './offnet.ts';

/** `resources`: sends the dialed number (or `data.to_did`) out through the account's own carriers (KAZOO cf_resources). */
export function resourcesModule(carriers: OffnetSender): FlowModule {
  return { name: 'resources', run: (ctx, data) => sendOffnet(carriers, ctx, data) };
}
