/** Set by proxy.ts on every request (a client-sent value is overwritten): the path being rendered. */
export const PATH_HEADER = "x-quiver-path";
