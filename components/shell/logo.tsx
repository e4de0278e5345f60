import Link from "next/link";
import { cn } from "@/components/ui/cn";

/** Quiver's mark (three arrows in a quiver) and wordmark. */
export function Logo({ className }: { className?: string }) {
  return (
    <span className={cn("flex items-center gap-2", className)}>
      <svg viewBox="0 0 24 24" className="size-6" aria-hidden>
        <rect width="24" height="24" rx="6" className="fill-indigo-600" />
        <path
          d="M7 17 15.5 8.5M10 18l7-7M7 14l6.5-6.5M15.5 8.5V6M15.5 8.5H18"
          className="stroke-white"
          strokeWidth="1.6"
          strokeLinecap="round"
          strokeLinejoin="round"
          fill="none"
        />
      </svg>
      <span className="text-[15px] font-semibold tracking-tight text-zinc-900">Quiver</span>
    </span>
  );
}

/** The logo as the link home (the sidebar's top, the phone top bar). */
export function LogoLink({ href }: { href: string }) {
  return (
    <Link
      href={href}
      aria-label="Quiver home"
      className="rounded focus-visible:outline-2 focus-visible:outline-indigo-500"
    >
      <Logo />
    </Link>
  );
}
