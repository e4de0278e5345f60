import "server-only";
import { z } from "zod";

/** What the instance-level operations answer (./me.ts, ./admins.ts). */

/** The signed-in person (the account menu); null for API keys and Quiver's own actors. */
export const Me = z
  .object({
    id: z.string(),
    name: z.string(),
    email: z.string(),
    /** Whether the UI offers the Instance pages; the services check again on every call. */
    isAdmin: z.boolean(),
  })
  .nullable();

export const SetInstanceAdminResult = z.object({
  email: z.string(),
  admin: z.boolean(),
  /** False when the user already was (or was not) an administrator: nothing was written. */
  changed: z.boolean(),
});
