/** The setup form's checks before it calls the server (which checks the same again). */
export type SetupErrors = Partial<Record<"name" | "email" | "password" | "confirm", string>>;

/** Keep in step with server/auth/new-user.ts (the client must not import server code). */
export const MIN_PASSWORD = 10;
const MAX_PASSWORD = 128;

export function validateSetup(input: {
  name: string;
  email: string;
  password: string;
  confirm: string;
}): SetupErrors {
  const errors: SetupErrors = {};
  if (!input.name.trim()) errors.name = "Enter your name";
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(input.email.trim()))
    errors.email = "Enter an email address like ada@example.com";
  if (input.password.length < MIN_PASSWORD) errors.password = `Use at least ${MIN_PASSWORD} characters`;
  else if (input.password.length > MAX_PASSWORD) errors.password = `Use at most ${MAX_PASSWORD} characters`;
  else if (input.confirm !== input.password) errors.confirm = "The passwords do not match";
  return errors;
}
