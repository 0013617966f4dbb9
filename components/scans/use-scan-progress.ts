"use client";

import { useEffect, useRef, useState } from "react";
import { fetchScanRow, scanEventsUrl } from "@/components/api/client.ts";
import type { ScanEvent } from "@/lib/scan/types.ts";
import { applyEvent, applyRow, emptyProgress, type ScanProgress } from "./progress.ts";

const EVENT_TYPES = ["scan-started", "inventory", "batch-sent", "batch-failed", "instance", "warning", "scan-finished"];
const POLL_MS = 1_500;
/** Consecutive stream errors without a message in between before the page gives up on the stream and polls. */
const MAX_STREAM_ERRORS = 3;

function eventOf(data: string): ScanEvent | undefined {
  try {
    const parsed = JSON.parse(data) as ScanEvent | { event?: ScanEvent };
    if (parsed && typeof parsed === "object" && "type" in parsed) return parsed as ScanEvent;
    if (parsed && typeof parsed === "object" && "event" in parsed && parsed.event) return parsed.event;
  } catch {
    // a comment or keep-alive line: nothing to apply
  }
  return undefined;
}

/**
 * Live progress of one scan: the server-sent event stream (`GET /api/scans/:id/events`, which replays from the
 * start, or from `after`, and resumes with Last-Event-ID), falling back to polling `GET /api/scans/:id` when the
 * stream cannot be used. Renders are batched to one per animation frame. Stops on unmount.
 */
export function useScanProgress(
  scanId: string | undefined,
  opts: { initial?: ScanProgress; trackInstances?: boolean } = {},
): { progress: ScanProgress | undefined; mode: "stream" | "polling" | "idle" } {
  const model = useRef<ScanProgress | undefined>(opts.initial);
  const [, setVersion] = useState(0);
  const [mode, setMode] = useState<"stream" | "polling" | "idle">("idle");
  const track = opts.trackInstances ?? true;
  const initial = opts.initial;

  useEffect(() => {
    if (!scanId) {
      model.current = undefined;
      setMode("idle");
      setVersion((v) => v + 1);
      return;
    }
    if (!model.current || model.current.scanId !== scanId) model.current = initial ?? emptyProgress(scanId);
    const p = model.current;
    setVersion((v) => v + 1);
    if (p.status !== "running") return;

    let frame = 0;
    const render = () => {
      if (frame) return;
      frame = requestAnimationFrame(() => {
        frame = 0;
        setVersion((v) => v + 1);
      });
    };

    let stopped = false;
    let pollTimer: ReturnType<typeof setTimeout> | undefined;
    const abort = new AbortController();
    // The scan's row alone (done/total/counts) and the seq of its last event: one small read, never every result.
    const readRow = async () => {
      const { scan, lastSeq } = await fetchScanRow(scanId, abort.signal);
      applyRow(p, scan);
      // Without per-instance detail, the events up to here are already counted in the row: skip them.
      if (!track && typeof lastSeq === "number" && lastSeq > p.lastSeq) p.lastSeq = lastSeq;
      render();
    };
    const poll = async () => {
      if (stopped) return;
      setMode("polling");
      try {
        await readRow();
      } catch {
        // network trouble or an error answer: try again at the next tick
      }
      if (!stopped && p.status === "running") pollTimer = setTimeout(poll, POLL_MS);
    };

    let source: EventSource | undefined;
    const stream = () => {
      if (stopped || p.status !== "running") return;
      source = new EventSource(scanEventsUrl(scanId, p.lastSeq));
      setMode("stream");
      let errors = 0;
      const onMessage = (e: MessageEvent<string>) => {
        errors = 0;
        const event = eventOf(e.data);
        if (!event) return;
        const seq = Number.parseInt(e.lastEventId, 10);
        if (applyEvent(p, Number.isFinite(seq) ? seq : 0, event, track)) render();
        if (event.type === "scan-finished") source?.close();
      };
      source.onmessage = onMessage;
      for (const t of EVENT_TYPES) source.addEventListener(t, onMessage as EventListener);
      source.onerror = () => {
        errors++;
        if (source!.readyState === EventSource.CLOSED || errors >= MAX_STREAM_ERRORS) {
          source!.close();
          void poll();
        }
      };
    };
    if (typeof EventSource === "undefined") void poll();
    // A progress bar (no per-instance detail) starts from the row and streams only what follows it.
    else if (!track && p.lastSeq === 0) readRow().then(stream, stream);
    else stream();

    return () => {
      stopped = true;
      source?.close();
      abort.abort();
      if (pollTimer) clearTimeout(pollTimer);
      if (frame) cancelAnimationFrame(frame);
    };
  }, [scanId, track, initial]);

  return { progress: model.current, mode };
}
