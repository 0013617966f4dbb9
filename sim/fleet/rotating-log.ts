/**
 * A log file family (`ecs-agent.log` and its rotated files) kept in memory and, once the host's sandbox exists,
 * written through to disk as it grows, so bash sees it change in real time. Each file's mtime is set to the time of
 * its last line, as on a real host (scripts pick "the newest rotated files" with `ls -t`).
 * Rotation as the agent does it: hourly (`ecs-agent.log.2025-02-04-07`, renamed on the first write of a new hour) or
 * by size (`ecs-agent.log.1` newest), keeping 24 files.
 */
import { appendFileSync, renameSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import path from "node:path";

export type Rollover = { type: "date" } | { type: "size"; maxBytes: number };

export type LogFile = { name: string; lines: string[]; lastAt: number | undefined };

const KEEP = 24;

function hourKey(hour: number): string {
  const iso = new Date(hour * 3_600_000).toISOString();
  return `${iso.slice(0, 10)}-${iso.slice(11, 13)}`;
}

export class RotatingLog {
  private current: LogFile;
  private bytes = 0;
  /** The hour (ms / 3,600,000) the current file's lines belong to, for date rotation. */
  private hour: number | undefined;
  /** Oldest first. */
  private rotated: LogFile[] = [];
  private dir: string | undefined;
  /** Whether anything was ever written: a log nobody wrote (a unit that never ran) has no file at all. */
  written = false;

  constructor(
    readonly base: string,
    private rollover: Rollover,
  ) {
    this.current = { name: base, lines: [], lastAt: undefined };
  }

  setRollover(r: Rollover) {
    this.rollover = r;
  }

  write(at: number, line: string) {
    const text = `${line}\n`;
    if (this.rollover.type === "date") {
      const hour = Math.floor(at / 3_600_000);
      if (this.hour !== undefined && hour !== this.hour && this.current.lines.length > 0)
        this.rotate(`${this.base}.${hourKey(this.hour)}`);
      this.hour = hour;
    } else if (this.bytes > 0 && this.bytes + text.length > this.rollover.maxBytes) {
      this.rotateNumbered();
    }
    this.current.lines.push(line);
    this.current.lastAt = at;
    this.written = true;
    this.bytes += text.length;
    if (this.dir) {
      const file = path.join(this.dir, this.base);
      appendFileSync(file, text);
      utimesSync(file, at / 1000, at / 1000);
    }
  }

  private rotate(name: string) {
    this.rotated.push({ ...this.current, name });
    if (this.dir) renameSync(path.join(this.dir, this.base), path.join(this.dir, name));
    this.current = { name: this.base, lines: [], lastAt: undefined };
    this.bytes = 0;
    while (this.rotated.length > KEEP) {
      const old = this.rotated.shift()!;
      if (this.dir) rmSync(path.join(this.dir, old.name), { force: true });
    }
  }

  private rotateNumbered() {
    // `.1` is the newest: shift every older file up by one, dropping the one past KEEP.
    if (this.dir) {
      for (let i = this.rotated.length; i >= 1; i--) {
        const from = path.join(this.dir, `${this.base}.${i}`);
        if (i + 1 > KEEP) rmSync(from, { force: true });
        else renameSync(from, path.join(this.dir, `${this.base}.${i + 1}`));
      }
      renameSync(path.join(this.dir, this.base), path.join(this.dir, `${this.base}.1`));
    }
    const all = [...this.rotated, this.current].slice(-KEEP);
    this.rotated = all.map((f, j) => ({ ...f, name: `${this.base}.${all.length - j}` }));
    this.current = { name: this.base, lines: [], lastAt: undefined };
    this.bytes = 0;
  }

  /** Every file of the family, oldest first, the current one last (it always exists, maybe empty). */
  files(): LogFile[] {
    return [...this.rotated, this.current];
  }

  /** The rotated files only, oldest first. */
  rotatedFiles(): LogFile[] {
    return this.rotated;
  }

  static text(f: LogFile): string {
    return f.lines.length ? `${f.lines.join("\n")}\n` : "";
  }

  /** From now on, mirror the family into `dir` (writing what exists so far; nothing until the first line). */
  attach(dir: string) {
    this.dir = dir;
    if (!this.written) return;
    for (const f of this.files()) {
      const file = path.join(dir, f.name);
      writeFileSync(file, RotatingLog.text(f));
      if (f.lastAt !== undefined) utimesSync(file, f.lastAt / 1000, f.lastAt / 1000);
    }
  }
}
