import type { ReactNode } from "react";
import { Logo } from "@/components/shell/logo";

/** The centered frame of the setup and login pages: logo, a title, a line of help, the form. */
export function AuthFrame({
  title,
  description,
  children,
}: {
  title: string;
  description: ReactNode;
  children: ReactNode;
}) {
  return (
    <main
      id="main"
      tabIndex={-1}
      className="flex min-h-screen focus:outline-none flex-col items-center justify-center bg-zinc-50 px-6 py-12"
    >
      <Logo className="mb-8" />
      <section className="w-full max-w-sm rounded-lg border border-zinc-200 bg-white p-6 shadow-xs">
        <h1 className="text-lg font-semibold tracking-tight text-zinc-900">{title}</h1>
        <p className="mt-1 text-sm text-zinc-500">{description}</p>
        <div className="mt-6">{children}</div>
      </section>
    </main>
  );
}

/** A form-level error (bad credentials, throttling), announced to screen readers. */
export function FormAlert({ message }: { message: string | null }) {
  if (!message) return null;
  return (
    <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-700">
      {message}
    </p>
  );
}
