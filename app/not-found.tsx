import { Compass } from "lucide-react";
import { connection } from "next/server";
import { Logo } from "@/components/shell/logo";
import { ButtonLink } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";

// Rendered per request so its scripts carry the CSP nonce (a prebuilt page has none).
export default async function NotFound() {
  await connection();
  return (
    <main
      id="main"
      tabIndex={-1}
      className="flex min-h-screen focus:outline-none flex-col items-center justify-center bg-zinc-50 px-6"
    >
      <Logo className="mb-8" />
      <EmptyState
        className="w-full max-w-lg"
        icon={Compass}
        title="Page not found"
        description="The project or page you asked for does not exist."
        action={<ButtonLink href="/">Go to Quiver</ButtonLink>}
      />
    </main>
  );
}
