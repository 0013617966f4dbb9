"use client";

import Box from "@cloudscape-design/components/box";
import { useEffect, useState } from "react";
import { formatTime, relativeTime } from "./time.ts";

/**
 * A time as the app shows it everywhere: UTC, and, once in the browser (the server's clock and the reader's
 * differ), how long ago, refreshed every half minute. `stacked` puts how long ago on a line of its own (tables).
 */
export function When({ iso, stacked = false }: { iso: string | undefined | null; stacked?: boolean }) {
  const [now, setNow] = useState<number | undefined>(undefined);
  useEffect(() => {
    setNow(Date.now());
    const t = setInterval(() => setNow(Date.now()), 30_000);
    return () => clearInterval(t);
  }, []);
  const ago = now === undefined ? "" : relativeTime(iso, now);
  return (
    <span style={{ whiteSpace: "nowrap" }}>
      {formatTime(iso)}
      {ago ? (
        // Stacked (in tables): the relative time under the date, so the column is no wider than the date.
        <Box variant={stacked ? "div" : "span"} color="text-body-secondary">
          {stacked ? ago : ` (${ago})`}
        </Box>
      ) : null}
    </span>
  );
}
