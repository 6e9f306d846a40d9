import { CallCommandError, UnknownChannel } from '../calls/index.ts';
import { UnknownMetaflowModule } from '../konami/index.ts';
import { AccountDisabled, UnknownDocument, UnsupportedAudio, ValidationFailed, type FieldFailure } from '../documents/index.ts';
import { SwitchboardError } from '../lib/index.ts';
import { ConflictError, NotFoundError } from '../store/index.ts';
import { ApiError, errors } from './api-error.ts';

/** KAZOO's validation `data`: `{path: {code: {message, ...extra}}}` (reference §1.4). */
export function validationData(failures: readonly FieldFailure[]): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const f of failures) {
    const byCode = (out[f.path] ??= {});
    byCode[f.code] = { message: f.message, ...(f.extra ?? {}) };
  }
  return out;
}

/** The one place where any thrown value becomes an {@link ApiError}. */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof ValidationFailed) return errors.validation(validationData(error.failures));
  if (error instanceof UnknownDocument) return errors.badIdentifier(error.id);
  if (error instanceof NotFoundError) return errors.badIdentifier(error.id);
  if (error instanceof ConflictError) return errors.conflict();
  if (error instanceof UnsupportedAudio) return errors.unsupportedMedia(error.message);
  if (error instanceof CallCommandError) return errors.validation({ [error.field]: { [error.rule]: { message: error.message } } });
  if (error instanceof UnknownChannel) return errors.badIdentifierList(error.uuid);
  if (error instanceof UnknownMetaflowModule) {
    return errors.validation({ module: { error: { message: `unable to find metaflow schema for module ${error.module}`, value: error.module } } });
  }
  if (error instanceof AccountDisabled) {
    return errors.validation({ account: { disabled: { message: 'account disabled' } } });
  }
  if (error instanceof SwitchboardError) {
    switch (error.code) {
      case 'invalid_start_key':
        return errors.validation({ start_key: { invalid: { message: 'start_key is not valid' } } });
      case 'invalid_filter':
        return errors.badRequest('invalid filter', { message: error.message });
      default:
        break;
    }
  }
  // Fastify's own errors carry a statusCode (body too large, bad content length...).
  const status = typeof error === 'object' && error !== null ? (error as { statusCode?: unknown }).statusCode : undefined;
  if (status === 413) return errors.tooLarge();
  if (status === 415) return errors.unsupportedMedia('unsupported content type');
  if (status === 400) return errors.parseError();
  return new ApiError(500, 'unknown failure', {}, { cause: error });
}
