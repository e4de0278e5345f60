import { getAuth } from "@/server/auth/get-auth";

/** better-auth's endpoints: sign-in, sign-out, session, and Quiver's first-run setup. */
async function handler(req: Request): Promise<Response> {
  return (await getAuth()).handler(req);
}

export { handler as GET, handler as POST };
