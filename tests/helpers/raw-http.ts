import { connect } from "node:net";

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** Everything the server sent, status line included. */
  text: string;
}

/**
 * Sends `request` byte for byte over a fresh TCP connection, for what fetch cannot send (no Host, a
 * broken Host, CONNECT). Reads one answer: up to its Content-Length, else until the server closes.
 */
export function rawRequest(url: string, request: string): Promise<RawResponse> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(request));
    let received = Buffer.alloc(0);
    let done = false;
    const finish = () => {
      if (done) return;
      const text = received.toString("latin1");
      const end = text.indexOf("\r\n\r\n");
      if (end === -1) return;
      const [statusLine = "", ...lines] = text.slice(0, end).split("\r\n");
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const colon = line.indexOf(":");
        headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      const body = received.subarray(Buffer.byteLength(text.slice(0, end + 4), "latin1"));
      const length = headers["content-length"];
      if (length !== undefined && body.length < Number(length) && !socket.closed) return;
      done = true;
      socket.destroy();
      resolve({ status: Number(statusLine.split(" ")[1]), headers, body: body.toString("utf8"), text });
    };
    socket.on("data", (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      finish();
    });
    socket.on("close", () => {
      finish();
      if (!done) reject(new Error(`connection closed before a whole answer: ${received.toString("latin1")}`));
    });
    socket.on("error", (error) => {
      if (!done) reject(error);
    });
  });
}
