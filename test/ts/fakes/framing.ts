/**
 * Content-Length framing, shared by the LSP and DAP test clients: both protocols send JSON
 * bodies behind the same header, and a chunk from a pipe may hold part of a message or several.
 */
import type { Writable } from 'node:stream';

export class FrameReader {
    private buffer = Buffer.alloc(0);

    /** Adds a chunk and returns every message it completed, in order. */
    push(chunk: Buffer): unknown[] {
        this.buffer = Buffer.concat([this.buffer, chunk]);
        const messages: unknown[] = [];
        for (;;) {
            const headerEnd = this.buffer.indexOf('\r\n\r\n');
            if (headerEnd < 0) {
                return messages;
            }
            const header = this.buffer.subarray(0, headerEnd).toString('ascii');
            const length = Number(/Content-Length: (\d+)/i.exec(header)?.[1]);
            if (this.buffer.length < headerEnd + 4 + length) {
                return messages;
            }
            messages.push(JSON.parse(this.buffer.subarray(headerEnd + 4, headerEnd + 4 + length).toString('utf8')));
            this.buffer = this.buffer.subarray(headerEnd + 4 + length);
        }
    }
}

export function writeFrame(stream: Writable, message: object): void {
    const body = Buffer.from(JSON.stringify(message), 'utf8');
    stream.write(`Content-Length: ${body.length}\r\n\r\n`);
    stream.write(body);
}
