export { accountKind, GENERATED_REALM_SUFFIX } from './account.ts';
export { userKind } from './user.ts';
export { deviceKind, sipUsernameScope } from './device.ts';
export { callflowKind } from './callflow.ts';
export { mediaKind, resourceKind } from './simple.ts';
export { callRecordingKind, CALL_RECORDING_TYPE, CALL_RECORDING_ATTACHMENT } from './call-recording.ts';
