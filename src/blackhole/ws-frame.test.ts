import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { createServer } from 'node:http';
import { WebSocket, WebSocketServer } from 'ws';
import { frameText, textFrame } from './ws-frame.ts';

test('the header follows RFC 6455 §5.2 for each length encoding', () => {
  assert.deepEqual([...textFrame('').subarray(0, 2)], [0x81, 0]);
  assert.deepEqual([...textFrame('a'.repeat(125)).subarray(0, 2)], [0x81, 125]);
  assert.deepEqual([...textFrame('a'.repeat(126)).subarray(0, 4)], [0x81, 126, 0, 126]);
  assert.deepEqual([...textFrame('a'.repeat(65_535)).subarray(0, 4)], [0x81, 126, 0xff, 0xff]);
  assert.deepEqual([...textFrame('a'.repeat(65_536)).subarray(0, 10)], [0x81, 127, 0, 0, 0, 0, 0, 1, 0, 0]);
  assert.equal(textFrame('é').length, 2 + 2, 'the length counts UTF-8 bytes, not characters');
});

test('frameText reads back what textFrame built', () => {
  for (const text of ['', 'hello', 'ü'.repeat(100), 'x'.repeat(70_000)]) assert.equal(frameText(textFrame(text)), text);
});

test('a real WebSocket client reads frames written straight to the server socket', async () => {
  const http = createServer();
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  const sockets: Duplex[] = [];
  http.on('upgrade', (req, socket, head) => {
    sockets.push(socket);
    wss.handleUpgrade(req, socket, head, () => undefined);
  });
  http.listen(0, '127.0.0.1');
  await once(http, 'listening');
  const client = new WebSocket(`ws://127.0.0.1:${(http.address() as AddressInfo).port}/`);
  try {
    await once(client, 'open');
    const texts = ['', 'a'.repeat(125), 'b'.repeat(126), 'ç'.repeat(40_000), 'd'.repeat(65_536), '{"action":"event"}'];
    const received: string[] = [];
    const all = new Promise<void>((resolve) => {
      client.on('message', (data, isBinary) => {
        assert.equal(isBinary, false);
        received.push(String(data));
        if (received.length === texts.length) resolve();
      });
    });
    const socket = sockets[0];
    assert.ok(socket !== undefined);
    socket.cork();
    for (const t of texts) socket.write(textFrame(t));
    socket.uncork();
    await all;
    assert.deepEqual(received, texts);
  } finally {
    client.terminate();
    wss.close();
    http.closeAllConnections();
    http.close();
  }
});
