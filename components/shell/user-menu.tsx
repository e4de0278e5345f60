"use client";

import { LogOut } from "lucide-react";
import { useState } from "react";
import { signOut } from "@/components/auth/auth-api";
import { Button } from "@/components/ui/button";
import { AccountMenu } from "./account-menu";

/** Ends the session, then a full load of the login page (nothing of the old user stays cached). */
function useSignOut() {
  const [pending, setPending] = useState(false);
  const [failed, setFailed] = useState(false);
  async function run() {
    setPending(true);
    setFailed(false);
    const result = await signOut();
    if (result.ok) {
      window.location.assign("/login");
      return;
    }
    setFailed(true);
    setPending(false);
  }
  return { pending, failed, run };
}

/**
 * The sidebar's foot: who is signed in (opening the account menu: recent sign-ins, and the
 * Instance pages for administrators), and sign-out.
 */
export function UserMenu({ email }: { email: string }) {
  const { pending, failed, run } = useSignOut();
  return (
    <div className="relative border-t border-zinc-200 px-3 py-2.5">
      <div className="flex items-center gap-2">
        <AccountMenu email={email} />
        <Button
          variant="ghost"
          size="sm"
          onClick={run}
          disabled={pending}
          aria-label="Sign out"
          title="Sign out"
        >
          <LogOut className="size-3.5" aria-hidden />
        </Button>
      </div>
      {failed && <p className="mt-1 text-xs text-red-600">Sign-out failed; try again.</p>}
    </div>
  );
}

/** A plain sign-out button, for pages without the sidebar. */
export function SignOutButton() {
  const { pending, run } = useSignOut();
  return (
    <Button onClick={run} disabled={pending}>
      <LogOut className="size-3.5" aria-hidden />
      Sign out
    </Button>
  );
}
