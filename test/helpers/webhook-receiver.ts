import http from "node:http";
import type { AddressInfo } from "node:net";

export interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
  json: Record<string, unknown>;
}

/**
 * A local webhook receiver (node:http on 127.0.0.1, a free port) that records every request and
 * answers with `answer(n)` for the n-th one (0-based): a status, or "hang" to never answer.
 */
export async function startReceiver(answer: (n: number) => number | "hang" = () => 200) {
  const received: Received[] = [];
  const hanging: http.ServerResponse[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      let json: Record<string, unknown> = {};
      try {
        json = JSON.parse(body) as Record<string, unknown>;
      } catch {}
      const n = received.length;
      received.push({ headers: req.headers, body, json });
      const a = answer(n);
      if (a === "hang") {
        hanging.push(res);
        return;
      }
      if (a >= 300 && a < 400) res.setHeader("location", "http://127.0.0.1:9/elsewhere");
      res.statusCode = a;
      res.end("receiver says: internal detail that must not be stored");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    async close() {
      for (const r of hanging) r.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
