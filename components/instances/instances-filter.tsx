"use client";

import PropertyFilter, { type PropertyFilterProps } from "@cloudscape-design/components/property-filter";
import { type FocusEvent, type FormEvent, type KeyboardEvent, useState } from "react";

const NO_VALUES: PropertyFilterProps.FilteringOption[] = [];

/**
 * Cloudscape's property filter, tuned for the first keystroke (the slowest one: it was 72 ms to the next paint on
 * this two-core machine, `npm run bench -- ui`; later ones take 16-40 ms). Two things made it slow:
 *
 * - A single letter matches most values ("a" matches 15, across verdicts, groups and states), and mounting those
 *   options took about 20 ms. Values are therefore suggested from the second character; property names still are
 *   from the first, and a chosen property ("Verdict = ") lists all its values as before.
 * - Cloudscape's focus-visible mode, switched on by a document keydown listener at the first key after a click,
 *   restyled every focusable element on the page (565 elements, 10-12 ms) although typing into a text box moves no
 *   focus. A typed character's keydown is not passed on to the document's other listeners (React dispatches from the
 *   document itself, so this takes stopImmediatePropagation). Tab, arrows, Enter and Escape still reach it, so focus
 *   rings appear as soon as someone navigates by keyboard; the text box's own focus style does not depend on it.
 *
 * The text box is Cloudscape's own, so its text is read from its input events (the token editor's inputs, in a
 * popover, carry other labels and are left alone). The one-letter state ends with the text box's focus or with a new
 * query, so an editor opened afterwards always gets every value.
 */
export function InstancesFilter(props: PropertyFilterProps) {
  const [oneLetter, setOneLetter] = useState(false);
  const isTextBox = (target: EventTarget) =>
    target instanceof HTMLInputElement && target.getAttribute("aria-label") === props.filteringAriaLabel;
  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: it only listens to the text box's events as they bubble.
    <div
      onInput={(e: FormEvent) => {
        if (isTextBox(e.target)) setOneLetter((e.target as HTMLInputElement).value.trim().length === 1);
      }}
      onKeyDown={(e: KeyboardEvent) => {
        if (isTextBox(e.target) && e.key.length === 1 && !e.ctrlKey && !e.metaKey && !e.altKey) {
          e.nativeEvent.stopImmediatePropagation();
        }
      }}
      onBlur={(e: FocusEvent) => {
        if (isTextBox(e.target)) setOneLetter(false);
      }}
    >
      <PropertyFilter
        {...props}
        filteringOptions={oneLetter ? NO_VALUES : props.filteringOptions}
        onChange={(e) => {
          setOneLetter(false);
          props.onChange(e);
        }}
      />
    </div>
  );
}
