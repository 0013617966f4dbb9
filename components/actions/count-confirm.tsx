"use client";

import FormField from "@cloudscape-design/components/form-field";
import Input from "@cloudscape-design/components/input";

/** Above this many instances the engineer types the count to confirm: a restart of many is never one stray click. */
export const TYPE_COUNT_ABOVE = 10;

export const needsCount = (count: number) => count > TYPE_COUNT_ABOVE;

/** Whether a restart of `count` instances is confirmed: no count needed, or the count typed. */
export const countConfirmed = (count: number, typed: string) => !needsCount(count) || typed.trim() === String(count);

/** The field the count is typed in (shown by the caller only where `needsCount`). */
export function CountField({
  count,
  value,
  onChange,
}: {
  count: number;
  value: string;
  onChange: (v: string) => void;
}) {
  return (
    <FormField label={`Type ${count} to confirm`}>
      <Input
        value={value}
        onChange={(e) => onChange(e.detail.value)}
        inputMode="numeric"
        ariaLabel="Number of instances"
      />
    </FormField>
  );
}
