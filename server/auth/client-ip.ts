/**
 * The one request header Quiver reads a client's IP from (login throttling). Quiver's HTTP server
 * (server/boot/app-server.ts) sets it from the socket, replacing any value a client sent;
 * x-forwarded-for is never read, since any client can send it.
 */
export const CLIENT_IP_HEADER = "x-quiver-client-ip";
