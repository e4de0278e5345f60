import "server-only";
import http from "node:http";
import { CLIENT_IP_HEADER, clientAddress, type TrustedProxies, trustedProxies } from "../auth/client-ip";
import { BootError } from "../boot/errors";
import { newRequestId, REQUEST_ID_HEADER, rootLogger, saneRequestId } from "../core/log";
import { env, resetEnvCache } from "../env";
import { originSettings, trustedOrigins } from "../http/trusted-origins";
import { cameThroughProxy, VIA_PROXY_HEADER } from "../metrics/access";

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
  // The trusted origins (loopback names on this port) are read from env() by the proxy and
  // better-auth in this process: PORT must be the port served, also when `--port` chose it.
  process.env.PORT = String(opts.port);
  resetEnvCache();
  const proxies = checkedSettings();
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
  server.on("request", requestListener(handle, proxies));
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

/** Origins and proxies parsed once at start, so a typo stops the launch instead of every request. */
function checkedSettings(): TrustedProxies {
  try {
    trustedOrigins(originSettings());
    return trustedProxies(env().QUIVER_TRUSTED_PROXIES);
  } catch (e) {
    throw new BootError(e instanceof Error ? e.message : String(e));
  }
}

/**
 * Quiver's listener around a request handler: sets the client's address (login throttle, rate
 * limits) from the socket, or from X-Forwarded-For when the socket is a trusted proxy, replacing
 * any value a client sent, and whether a proxy forwarded the request at all (/metrics); gives the request its id (a sane one it brought, else a new one, which
 * the route handlers then adopt); a handler's failure is a bare 500.
 */
export function requestListener(
  handle: (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>,
  proxies: TrustedProxies,
): (req: http.IncomingMessage, res: http.ServerResponse) => void {
  return (req, res) => {
    req.headers[CLIENT_IP_HEADER] = clientAddress(
      req.socket.remoteAddress,
      req.headers["x-forwarded-for"],
      proxies,
    );
    // /metrics opens to loopback clients only when no proxy stands between (server/metrics/access.ts);
    // Next adds X-Forwarded-For to every request, so only this listener sees whether one came.
    if (cameThroughProxy(req.headers)) req.headers[VIA_PROXY_HEADER] = "1";
    else delete req.headers[VIA_PROXY_HEADER];
    const requestId = saneRequestId(req.headers[REQUEST_ID_HEADER]) ?? newRequestId();
    req.headers[REQUEST_ID_HEADER] = requestId;
    handle(req, res).catch((e: unknown) => {
      const path = (req.url ?? "").split("?")[0];
      rootLogger().error({ err: e, requestId, method: req.method, path }, "request failed");
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
      res.end("Internal Server Error");
    });
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
