// Public API of the built-in media engine (layer 1): SDP offer/answer, RTP, port pool, endpoints,
// relay, G.711, RFC 4733 DTMF, tone/WAV players and the recorder. Knows nothing of SIP.
export {
  SdpParseError,
  SdpNegotiationError,
  RtpParseError,
  PortsExhaustedError,
  WavFormatError,
  DtmfError,
} from './errors.ts';
export { isPrivateAddress, isUnspecifiedAddress } from './address.ts';
export {
  MEDIA_DIRECTIONS,
  parseSdp,
  writeSdp,
  readAudioStream,
  reverseDirection,
  intersectDirections,
  canSend,
  canReceive,
  type MediaDirection,
  type RtpMap,
  type AudioStream,
  type SessionDescription,
  type MediaDescription,
} from './sdp-model.ts';
export { SdpOrigin, type SdpOriginOptions } from './sdp-origin.ts';
export {
  createOffer,
  createAnswer,
  readAnswer,
  offeredFormat,
  type LocalMedia,
  type MediaFormat,
  type RemoteMedia,
  type NegotiatedMedia,
  type SdpAnswer,
} from './sdp-offer-answer.ts';
export { rewriteSdp, type RewriteTarget } from './sdp-rewrite.ts';
export {
  parseRtp,
  serializeRtp,
  isRtcp,
  looksLikeRtp,
  RTP_HEADER_LENGTH,
  type RtpPacket,
  type RtpPacketInit,
  type RtpHeaderExtension,
} from './rtp-packet.ts';
export { RtpSequencer, type RtpSequencerOptions } from './rtp-sequencer.ts';
export { Pacer } from './pacer.ts';
export { PortPool, bindUdp, type PortRange, type PortLease, type PortPoolOptions, type SocketBinder } from './port-pool.ts';
export {
  MediaEndpoint,
  LATCHING_POLICIES,
  type LatchingPolicy,
  type EndpointCounters,
  type PacketReceiver,
  type RemoteTarget,
  type MediaEndpointOptions,
  type MediaEndpointEvents,
} from './media-endpoint.ts';
export {
  RtpRelay,
  RELAY_DIRECTIONS,
  type RelayDirection,
  type RelayTap,
  type RelayCounters,
  type PayloadTypeMap,
  type RtpRelayOptions,
  type RtpRelayEvents,
} from './rtp-relay.ts';
export {
  G711_CODECS,
  G711_RATE,
  FRAME_SAMPLES,
  isG711Codec,
  encodeG711,
  decodeG711,
  encodeSample,
  decodeSample,
  g711Silence,
  pcm16leToSamples,
  samplesToPcm16le,
  downsample2,
  type G711Codec,
} from './g711.ts';
export {
  DTMF_DIGITS,
  isDtmfDigit,
  digitOfEvent,
  eventOfDigit,
  readTelephoneEvent,
  writeTelephoneEvent,
  parseEventList,
  formatEventList,
  type DtmfDigit,
  type TelephoneEvent,
} from './telephone-event.ts';
export { DtmfDetector, type DtmfEvent, type DtmfDetectorOptions } from './dtmf-detector.ts';
export { parseDtmfInfo, DEFAULT_INFO_DURATION_MS, type DtmfInfo } from './dtmf-info.ts';
export { DtmfSender, type DtmfSenderOptions } from './dtmf-sender.ts';
export { RtpSource, type RtpOutput, type RtpSourceEvents, type SourceEndReason } from './rtp-source.ts';
export { RtpPlayer, type FrameSource, type RtpPlayerOptions } from './rtp-player.ts';
export { ToneSource, TONES, type ToneSpec } from './tone-source.ts';
export { readWavInfo, decodeWav, encodePcm16Wav, SampleSource, WAV_FORMATS, type WavFormat, type WavInfo, type WavAudio } from './wav.ts';
export { WavRecorder, type WavRecorderOptions, type RecordingInfo } from './wav-recorder.ts';
export { MediaEngine, type MediaEngineOptions, type MediaStats } from './media-engine.ts';
