// Call recording (issue 4 item 7): a bridged call as a stereo WAV, stored as a call_recording doc.
export { RECORDING_LIMITS, checkRecordOptions, recordOptionsFromKazoo, type RecordOptions, type RecordOptionProblem } from './record-options.ts';
export {
  CallRecorder,
  RECORDING_STOP_REASONS,
  RECORDER_STATES,
  recordingDocId,
  type RecordingStopReason,
  type RecorderState,
  type FinishedRecording,
  type CallRecorderDeps,
} from './call-recorder.ts';
export { recordingDoc, userAtHost } from './recording-doc.ts';
export { StoreRecordingArchive, type RecordingArchive } from './recording-archive.ts';
export { CallRecordings, type CallRecordingsOptions, type RecordingStarted, type RecordingOutcome } from './call-recordings.ts';
