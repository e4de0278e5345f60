import "server-only";
import type { IncomingMessage } from "node:http";
import { bodyTooLarge, decodeBody, HttpError } from "../http/rest";

/** A request whose client went away before its answer: nobody to answer (metrics say 499). */
export const CLIENT_GONE = 499;

export function clientGone(): HttpError {
  return new HttpError(CLIENT_GONE, "the client closed the request");
}

/**
 * A node:http request's body as text: at most `limit` bytes kept, whatever Content-Length claims (a
 * larger declared length is refused before a byte is read; past the limit nothing more is kept),
 * 413 beyond; bytes that are not UTF-8 are a 400; a client that goes away mid-body is CLIENT_GONE.
 * The unread rest of a refused body is dropped by node:http once the answer is sent, within the
 * server's requestTimeout.
 */
export function readNodeBody(req: IncomingMessage, limit: number): Promise<string> {
  if (Number(req.headers["content-length"]) > limit) return Promise.reject(bodyTooLarge(limit));
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let total = 0;
    const stop = () => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onGone);
      req.off("close", onClose);
    };
    const onData = (chunk: Buffer) => {
      total += chunk.length;
      if (total > limit) {
        stop();
        // The rest is read and dropped, so the client can finish sending and read the 413
        // (a server that closes with unread bytes resets the connection, and the answer with it).
        req.resume();
        reject(bodyTooLarge(limit));
        return;
      }
      parts.push(chunk);
    };
    const onEnd = () => {
      stop();
      try {
        resolve(decodeBody(parts.length === 1 && parts[0] ? parts[0] : Buffer.concat(parts, total)));
      } catch (e) {
        reject(e);
      }
    };
    const onGone = () => {
      stop();
      reject(clientGone());
    };
    const onClose = () => {
      if (!req.complete) onGone();
    };
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onGone);
    req.on("close", onClose);
  });
}
