import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { AuthFrame } from "@/components/auth/auth-frame";
import { LoginForm } from "@/components/auth/login-form";
import { safeNext } from "@/server/http/safe-next";
import { pageUser, setupPending } from "@/server/web/page-access";

export const metadata: Metadata = { title: "Sign in" };
export const dynamic = "force-dynamic";

interface Props {
  searchParams: Promise<{ next?: string | string[] }>;
}

export default async function LoginPage({ searchParams }: Props) {
  const next = safeNext((await searchParams).next);
  if (await setupPending()) redirect("/setup");
  if (await pageUser()) redirect(next);
  return (
    <AuthFrame title="Sign in to Quiver" description="Use the email and password your Quiver owner gave you.">
      <LoginForm next={next} />
    </AuthFrame>
  );
}
