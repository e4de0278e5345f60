"use client";

import { Input } from "@/components/ui/input";
import { Select } from "@/components/ui/select";
import { DURATION_UNITS, type DurationUnit, type DurationValue } from "./duration";

interface DurationInputProps {
  value: DurationValue;
  onChange: (value: DurationValue) => void;
  /** Names the unit select for screen readers, e.g. "TTL unit". */
  unitLabel: string;
  /** The unit select's id; the amount takes the surrounding Field's id. */
  unitId: string;
  placeholder?: string;
  disabled?: boolean;
}

/** A number and a unit (seconds ... days), inside a Field: `<DurationInput value={ttl} ... />`. */
export function DurationInput({
  value,
  onChange,
  unitLabel,
  unitId,
  placeholder,
  disabled,
}: DurationInputProps) {
  return (
    <div className="flex gap-2">
      <div className="min-w-0 flex-1">
        <Input
          type="number"
          inputMode="decimal"
          min={0}
          step="any"
          value={value.amount}
          placeholder={placeholder}
          disabled={disabled}
          onChange={(e) => onChange({ ...value, amount: e.target.value })}
          className="tabular-nums"
        />
      </div>
      <Select
        id={unitId}
        aria-label={unitLabel}
        // The unit is never the wrong part; only the amount shows the error.
        aria-invalid={false}
        value={value.unit}
        disabled={disabled}
        onChange={(e) => onChange({ ...value, unit: e.target.value as DurationUnit })}
        className="w-32 shrink-0"
      >
        {DURATION_UNITS.map((u) => (
          <option key={u.value} value={u.value}>
            {u.label}
          </option>
        ))}
      </Select>
    </div>
  );
}
