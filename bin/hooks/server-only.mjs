// Module hook for the CLI: server modules `import "server-only"`, a marker that throws unless
// resolved under React's server condition. The CLI is server code, so the marker resolves empty.
export async function resolve(specifier, context, nextResolve) {
  if (specifier === "server-only") return { url: "data:text/javascript,", shortCircuit: true };
  return nextResolve(specifier, context);
}
