import { Badge, type Tone } from "@/components/ui/badge";

const KIND: Record<string, { label: string; tone: Tone }> = {
  user: { label: "user", tone: "blue" },
  api_key: { label: "API key", tone: "violet" },
  system: { label: "system", tone: "gray" },
  local: { label: "CLI", tone: "teal" },
  anonymous: { label: "anonymous", tone: "amber" },
};

/** Who acted: what kind of actor, then its name. */
export function ActorBadge({ kind, name }: { kind: string; name: string }) {
  const k = KIND[kind] ?? { label: kind, tone: "gray" as const };
  return (
    <span className="flex min-w-0 items-center gap-1.5">
      <Badge tone={k.tone} className="shrink-0">
        {k.label}
      </Badge>
      <span className="truncate" title={name}>
        {name}
      </span>
    </span>
  );
}
