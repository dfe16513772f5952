/**
 * Unary gRPC calls over a unix socket with node:http2: a request is one
 * length-prefixed message in a POST, the answer one message in the body and
 * the status in the trailers (or, for an immediate error, in the headers).
 */
import http2 from "node:http2";
import net from "node:net";

export class GrpcError extends Error {
  constructor(readonly method: string, readonly code: number, readonly details: string) {
    super(`${method}: gRPC status ${code}: ${details}`);
  }
}

export interface GrpcClient {
  call(method: string, request: Uint8Array, timeoutMs?: number): Promise<Uint8Array>;
  close(): void;
}

function frame(message: Uint8Array): Uint8Array {
  const out = new Uint8Array(5 + message.length);
  new DataView(out.buffer).setUint32(1, message.length);
  out.set(message, 5);
  return out;
}

function unframe(body: Uint8Array): Uint8Array {
  if (body.length < 5) return new Uint8Array();
  if (body[0] !== 0) throw new Error("gRPC: compressed responses are not supported");
  const len = new DataView(body.buffer, body.byteOffset).getUint32(1);
  return body.subarray(5, 5 + len);
}

export function grpcClient(socket: string): GrpcClient {
  const session = http2.connect("http://localhost", { createConnection: () => net.connect(socket) });
  session.on("error", () => {/* surfaced by the pending call's stream */});
  const call = (method: string, request: Uint8Array, timeoutMs = 60_000) =>
    new Promise<Uint8Array>((resolve, reject) => {
      const stream = session.request({
        ":method": "POST",
        ":path": method,
        "content-type": "application/grpc",
        te: "trailers",
      });
      const chunks: Uint8Array[] = [];
      let status: string | undefined;
      let details = "";
      const note = (h: http2.IncomingHttpHeaders) => {
        if (h["grpc-status"] !== undefined) {
          status = String(h["grpc-status"]);
          details = decodeURIComponent(String(h["grpc-message"] ?? ""));
        }
      };
      const timer = setTimeout(() => stream.close(http2.constants.NGHTTP2_CANCEL), timeoutMs);
      stream.on("response", note);
      stream.on("trailers", note);
      stream.on("data", (c: Uint8Array) => chunks.push(c));
      stream.on("error", (e) => {
        clearTimeout(timer);
        reject(e);
      });
      stream.on("close", () => {
        clearTimeout(timer);
        if (status === undefined) return reject(new Error(`${method}: no gRPC status (timed out or connection lost)`));
        if (status !== "0") return reject(new GrpcError(method, Number(status), details));
        const body = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
        chunks.reduce((at, c) => (body.set(c, at), at + c.length), 0);
        resolve(unframe(body));
      });
      stream.end(frame(request));
    });
  return { call, close: () => session.close() };
}
