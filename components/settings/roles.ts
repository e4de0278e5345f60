import { ROLES, type Role } from "@/server/auth/roles";

export { ROLES, type Role };

/** One line per role for selects and hints; each role includes the ones before it. */
export const ROLE_HINTS: Record<Role, string> = {
  viewer: "sees definitions",
  consumer: "also reads feature values",
  editor: "also changes definitions",
  operator: "also runs jobs and pushes values",
  owner: "also manages members and API keys",
};
