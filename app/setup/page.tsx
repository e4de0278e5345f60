import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { AuthFrame } from "@/components/auth/auth-frame";
import { SetupForm } from "@/components/auth/setup-form";
import { setupPending } from "@/server/web/page-access";

export const metadata: Metadata = { title: "Set up" };
export const dynamic = "force-dynamic";

/** Only while no user exists: it creates the owner, who then adds everyone else. */
export default async function SetupPage() {
  if (!(await setupPending())) redirect("/login");
  return (
    <AuthFrame
      title="Welcome to Quiver"
      description="Create the owner account. The owner can see and change every project, and adds the other people."
    >
      <SetupForm />
    </AuthFrame>
  );
}
