export { MetaflowExecutor, UnknownMetaflowModule } from './metaflow-executor.ts';
export { CONTINUE, STOP, type MetaflowContext, type MetaflowModule, type MetaflowNode, type MetaflowOutcome } from './metaflow-module.ts';
export { hangupModule } from './modules/hangup.ts';
export { holdModule, resumeModule } from './modules/hold.ts';
export { breakModule } from './modules/break.ts';
export { playModule } from './modules/play.ts';

import { breakModule } from './modules/break.ts';
import { hangupModule } from './modules/hangup.ts';
import { holdModule, resumeModule } from './modules/hold.ts';
import { playModule } from './modules/play.ts';
import type { MetaflowModule } from './metaflow-module.ts';

/** The modules available today (transfer, record_call, intercept, move, callflow join as they land). */
export const BUILTIN_METAFLOW_MODULES: readonly MetaflowModule[] = [hangupModule, holdModule, resumeModule, breakModule, playModule];
