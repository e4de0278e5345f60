/** Server pages get search params as a record; this gives them the URLSearchParams shape. */
export function toURLSearchParams(record: Record<string, string | string[] | undefined>): URLSearchParams {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(record)) {
    if (Array.isArray(v)) for (const x of v) p.append(k, x);
    else if (v !== undefined) p.set(k, v);
  }
  return p;
}
