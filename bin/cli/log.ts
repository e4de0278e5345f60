/** CLI progress and status lines (stdout); errors go to stderr through main(). */
export function log(line: string): void {
  console.log(`[quiver] ${line}`);
}
