import { Badge, type Tone } from "@/components/ui/badge";

const TONE_OF: Record<string, Tone> = {
  int32: "blue",
  int64: "blue",
  float32: "violet",
  float64: "violet",
  string: "green",
  bool: "amber",
  bytes: "gray",
  unix_timestamp: "teal",
};

/** A value type (`float64`, `list<int64>`) coloured by its scalar family. */
export function TypeBadge({ dtype }: { dtype: string }) {
  const scalar = dtype.replace(/^list<(.+)>$/, "$1");
  return (
    <Badge mono tone={TONE_OF[scalar] ?? "gray"} title={dtype}>
      {dtype}
    </Badge>
  );
}
