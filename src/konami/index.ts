export { MetaflowExecutor, UnknownMetaflowModule } from './metaflow-executor.ts';
export { CONTINUE, STOP, type MetaflowContext, type MetaflowModule, type MetaflowNode, type MetaflowOutcome } from './metaflow-module.ts';
export { hangupModule } from './modules/hangup.ts';
export { holdModule, resumeModule } from './modules/hold.ts';
export { breakModule } from './modules/break.ts';
export { playModule } from './modules/play.ts';
export { transferModule } from './modules/transfer.ts';
export { recordCallModule } from './modules/record-call.ts';
export { interceptModule, moveModule } from './modules/intercept.ts';
export { callflowModule } from './modules/callflow.ts';

import { callflowModule } from './modules/callflow.ts';
import { interceptModule, moveModule } from './modules/intercept.ts';
import { recordCallModule } from './modules/record-call.ts';
import { transferModule } from './modules/transfer.ts';
import { breakModule } from './modules/break.ts';
import { hangupModule } from './modules/hangup.ts';
import { holdModule, resumeModule } from './modules/hold.ts';
import { playModule } from './modules/play.ts';
import type { MetaflowModule } from './metaflow-module.ts';

/** Every implemented metaflow module (KAZOO's open-source set, §3.7; not audio_level, say, tts). */
export const BUILTIN_METAFLOW_MODULES: readonly MetaflowModule[] = [
  hangupModule,
  holdModule,
  resumeModule,
  breakModule,
  playModule,
  transferModule,
  recordCallModule,
  interceptModule,
  moveModule,
  callflowModule,
];
