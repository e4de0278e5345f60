import http from "node:http";
import { CLIENT_IP_HEADER } from "../auth/client-ip";
import { BootError } from "./errors";

export interface AppServer {
  url: string;
  /** Stops accepting connections, ends idle keep-alive ones, then closes Next. */
  close(): Promise<void>;
}

/** Hard cap on waiting for in-flight requests (a long-poll or stream) when stopping. */
const CLOSE_GRACE_MS = 5_000;

/**
 * Serves the Next.js app from `dir` through Next's custom-server API on a plain node:http server,
 * in this process (so the launcher's worker and shutdown cover it). `dev` serves from source with
 * hot reload; otherwise the production build in `.next` must exist.
 */
export async function startAppServer(opts: { dir: string; dev: boolean; port: number }): Promise<AppServer> {
  const { default: next } = await import("next");
  const server = http.createServer();
  const app = next({
    dev: opts.dev,
    dir: opts.dir,
    port: opts.port,
    hostname: "localhost",
    httpServer: server,
  });
  await app.prepare();
  const handle = app.getRequestHandler();
  server.on("request", (req, res) => {
    // The client's address (for login throttling), from the socket: a client's own value is replaced.
    req.headers[CLIENT_IP_HEADER] = req.socket.remoteAddress ?? "unknown";
    handle(req, res).catch((e: unknown) => {
      console.error(`[quiver] ${req.method} ${req.url} failed:`, e);
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
      res.end("Internal Server Error");
    });
  });
  await listen(server, opts.port);
  return {
    url: `http://localhost:${opts.port}`,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const timer = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
      await closed;
      clearTimeout(timer);
      await app.close();
    },
  };
}

function listen(server: http.Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException) => {
      reject(
        e.code === "EADDRINUSE"
          ? new BootError(`port ${port} is already in use; stop what holds it or set PORT to another port`)
          : e,
      );
    };
    server.once("error", onError);
    // No host: every interface, IPv4 and IPv6, like `next start`.
    server.listen(port, () => {
      server.off("error", onError);
      resolve();
    });
  });
}
