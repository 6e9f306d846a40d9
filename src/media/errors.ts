import { SwitchboardError } from '../lib/index.ts';

/** An SDP body that cannot be read as RFC 4566 session description (SIP maps it to 400). */
export class SdpParseError extends SwitchboardError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('sdp_invalid', message, options);
  }
}

/**
 * RFC 3264 §6: an offer we cannot accept — no audio stream, or no codec in common. The SIP layer
 * answers it with 488 Not Acceptable Here.
 */
export class SdpNegotiationError extends SwitchboardError {
  readonly reason: 'no_audio' | 'no_common_codec';
  constructor(reason: 'no_audio' | 'no_common_codec', message: string) {
    super('sdp_not_acceptable', message);
    this.reason = reason;
  }
}

/** A datagram that is not a valid RFC 3550 §5.1 RTP packet. */
export class RtpParseError extends SwitchboardError {
  constructor(message: string) {
    super('rtp_invalid', message);
  }
}

/** Every port pair of the configured RTP range is in use (or could not be bound). */
export class PortsExhaustedError extends SwitchboardError {
  constructor(message: string) {
    super('media_ports_exhausted', message);
  }
}

/** A WAV file we cannot play: not a WAV, or a format other than mono PCM16 8/16 kHz or G.711 8 kHz. */
export class WavFormatError extends SwitchboardError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('wav_unsupported', message, options);
  }
}

/** A DTMF digit, INFO body or telephone-event that is malformed or cannot be sent. */
export class DtmfError extends SwitchboardError {
  constructor(message: string) {
    super('dtmf_invalid', message);
  }
}
