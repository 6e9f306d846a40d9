import { readFile, unlink } from 'node:fs/promises';
import { CALL_RECORDING_ATTACHMENT } from '../../documents/index.ts';
import type { DocumentStore } from '../../store/index.ts';
import type { FinishedRecording } from './call-recorder.ts';
import { recordingDoc } from './recording-doc.ts';

/** Where finished recordings go. */
export interface RecordingArchive {
  /** Stores a finished recording (its WAV is at `recording.path`); resolves with the stored doc id. */
  archive(recording: FinishedRecording): Promise<string>;
}

/**
 * Stores each recording as a `call_recording` document of the call's account with the WAV as its
 * `raw` attachment (creating the doc publishes `object.doc_created.call_recording`), then deletes
 * the temporary file. If storing fails the file stays where it is, so no audio is lost.
 */
export class StoreRecordingArchive implements RecordingArchive {
  readonly #store: DocumentStore;

  constructor(store: DocumentStore) {
    this.#store = store;
  }

  async archive(recording: FinishedRecording): Promise<string> {
    const audio = await readFile(recording.path);
    const doc = await this.#store.create(recordingDoc(recording));
    await this.#store.putAttachment(doc._id, CALL_RECORDING_ATTACHMENT, 'audio/wav', audio);
    await unlink(recording.path);
    return doc._id;
  }
}
