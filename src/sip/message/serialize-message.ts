import { SwitchboardError } from '../../lib/index.ts';
import type { SipMessage } from './message.ts';

/**
 * Serializes a message for the wire (RFC 3261 §7): start line, one header line per value in stored
 * order, `Content-Length` set to the body length (replacing any stored one), empty line, body.
 * Throws when a header name or value contains CR or LF (header injection).
 */
export function serializeMessage(msg: SipMessage): Buffer {
  let head = msg.kind === 'request' ? `${msg.method} ${msg.uri} SIP/2.0\r\n` : `SIP/2.0 ${msg.status} ${msg.reason}\r\n`;
  checkLine(head.slice(0, -2));
  for (const { name, value } of msg.headers.entries()) {
    if (name === 'Content-Length') continue;
    checkLine(name);
    checkLine(value);
    head += `${name}: ${value}\r\n`;
  }
  head += `Content-Length: ${msg.body.length}\r\n\r\n`;
  if (msg.body.length === 0) return Buffer.from(head, 'utf8');
  const headBytes = Buffer.from(head, 'utf8');
  return Buffer.concat([headBytes, msg.body], headBytes.length + msg.body.length);
}

function checkLine(text: string): void {
  if (text.includes('\n') || text.includes('\r')) {
    throw new SwitchboardError('sip_invalid_header', 'SIP header or start line contains CR or LF');
  }
}
