/**
 * A complete server-to-client WebSocket text frame (RFC 6455 §5.2), built once and written as is to
 * every socket that gets the same message. §5.1: "A server MUST NOT mask any frames that it sends to
 * the client", so the frame has no masking key and its bytes do not depend on the socket.
 */
export function textFrame(text: string): Buffer {
  const length = Buffer.byteLength(text, 'utf8');
  // §5.2 Payload length: 7 bits, or 126 + 16 bits, or 127 + 64 bits (most significant bit 0).
  const header = length < 126 ? 2 : length < 0x10000 ? 4 : 10;
  const frame = Buffer.allocUnsafe(header + length);
  frame[0] = 0x81; // FIN, RSV1-3 clear, opcode 0x1 (text frame)
  if (header === 2) {
    frame[1] = length;
  } else if (header === 4) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeBigUInt64BE(BigInt(length), 2);
  }
  frame.write(text, header, 'utf8');
  return frame;
}

/** The text of a frame built by {@link textFrame} (tests and fakes). */
export function frameText(frame: Buffer): string {
  const code = frame[1] ?? 0;
  const header = code < 126 ? 2 : code === 126 ? 4 : 10;
  return frame.subarray(header).toString('utf8');
}
