"use client";

import Box from "@cloudscape-design/components/box";
import { useEffect, useState } from "react";
import { formatTime, relativeTime } from "./time.ts";

/**
 * A time as the app shows it everywhere: UTC, and, once in the browser (the server's clock and the reader's
 * differ), how long ago, refreshed every half minute.
 */
export function When({ iso }: { iso: string | undefined | null }) {
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
        <Box variant="span" color="text-body-secondary">
          {` (${ago})`}
        </Box>
      ) : null}
    </span>
  );
}
