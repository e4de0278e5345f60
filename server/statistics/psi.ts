/**
 * The population stability index of two distributions over the same buckets:
 * PSI = Σ (aᵢ − eᵢ) · ln(aᵢ / eᵢ), with eᵢ the previous share of bucket i and aᵢ the current one.
 * A share of 0 becomes EPSILON (the logarithm is undefined there), so a bucket that appears or
 * empties still counts, by a bounded amount. Conventional reading: < 0.1 stable, 0.1–0.25 a
 * moderate shift, > 0.25 a large one. Pure: the UI and tests import it.
 */
export const PSI_EPSILON = 1e-4;

export function populationStabilityIndex(previous: readonly number[], current: readonly number[]): number {
  if (previous.length !== current.length) throw new Error("PSI needs the same buckets on both sides");
  const e = shares(previous);
  const a = shares(current);
  let psi = 0;
  for (let i = 0; i < e.length; i++) {
    const ei = Math.max(e[i] ?? 0, PSI_EPSILON);
    const ai = Math.max(a[i] ?? 0, PSI_EPSILON);
    psi += (ai - ei) * Math.log(ai / ei);
  }
  return psi;
}

/** Counts as shares of their total (all 0 when the total is 0). */
function shares(counts: readonly number[]): number[] {
  const total = counts.reduce((s, n) => s + n, 0);
  return counts.map((n) => (total > 0 ? n / total : 0));
}
