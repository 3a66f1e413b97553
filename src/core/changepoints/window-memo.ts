/**
 * The change points E-divisive finds in one window, remembered by the window's values. A
 * settlement analyses the newest runs again each night, and most of their windows hold the same
 * runs as the night before: a window begins where the one before it found its last change point,
 * so where the first begins matters only up to the next change point found. Those windows are
 * looked up, not computed again; so are all but the newest of the whole history's.
 *
 * A module-level memo is safe: what is remembered is a pure function of the key (the window's
 * values and the p-value threshold, bit for bit), computed without I/O, so a hit is the answer
 * computing would give, whichever request of the isolate computed it; and forgetting, whether by
 * eviction or `forgetWindows`, costs only the time to compute it again.
 */
import { base64Of, bytesOfBase64 } from "../base64.ts";
import type { ChangePoint } from "./change-point.ts";

/**
 * Values of the windows remembered at most (2 MiB of them), the least recently used forgotten
 * first: in windows of 50, 5 000 windows, for a settlement's 20 to 40 windows of each of three
 * metrics and the whole history's of 10 000 runs (400 each); fewer in longer windows.
 */
const CAPACITY = 1 << 18;

/** A window's values with the threshold first, and the change points found in them. */
interface Remembered {
  bits: Uint32Array;
  points: readonly ChangePoint[];
  /** `bits` as a store keeps them (`KeptWindow`), once made or read: most are kept night after night. */
  kept?: string;
}

/** Remembered windows by the hash of their bits; a window whose hash another holds is computed. */
const memo = new Map<number, Remembered>();
let held = 0;
let computed = 0;

/** The threshold and the window's values, bit for bit: two windows are the same only if these are. */
function bitsOf(window: Float64Array, maxPvalue: number): Uint32Array {
  const values = new Float64Array(window.length + 1);
  values[0] = maxPvalue;
  values.set(window, 1);
  return new Uint32Array(values.buffer);
}

/** FNV-1a over 32-bit words: a key, not a proof, so two windows with one hash are compared. */
function hashOf(bits: Uint32Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < bits.length; i++) h = Math.imul(h ^ bits[i], 0x01000193);
  return h;
}

function same(a: Uint32Array, b: Uint32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** A copy of remembered points, so that no caller changes what the next one is given. */
function copied(points: readonly ChangePoint[]): ChangePoint[] {
  return points.map((p) => ({ ...p, stats: { ...p.stats } }));
}

/** The change points `detect` finds in `window`, computed once per window and threshold. */
export function rememberedWindow(window: Float64Array, maxPvalue: number, detect: () => ChangePoint[]): ChangePoint[] {
  const bits = bitsOf(window, maxPvalue);
  const key = hashOf(bits);
  const known = memo.get(key);
  // Used again or not, the newest of all: the last to be forgotten.
  forget(key);
  if (known && same(known.bits, bits)) {
    remember(key, known);
    return copied(known.points);
  }
  const points = detect();
  computed++;
  remember(key, { bits, points: copied(points) });
  while (held > CAPACITY) forget(memo.keys().next().value as number);
  return points;
}

/**
 * A window as a store keeps it between isolates: a settlement's windows, given to the next
 * settlement, which on Workers usually runs in a fresh isolate with nothing remembered.
 */
export interface KeptWindow {
  /**
   * The threshold and the window's values as Float64 bits, in base64 (`bitsOf`): a fresh isolate
   * reads 60 windows back without parsing three thousand numbers, and a -0 stays itself.
   */
  bits: string;
  points: ChangePoint[];
}

/** The windows in use while `analyse` runs (it is synchronous, so no other analysis interleaves). */
let using: Map<number, Remembered> | null = null;

/** The windows each store keeps, as far as this isolate knows: the ones it last read back or saved. */
let storeKeeps = new WeakMap<object, Set<number>>();

/** The windows an analysis used that are worth keeping. */
export interface UsedWindows {
  /** Whether `store` keeps them already, as far as this isolate knows: no need to write them again. */
  keptBy(store: object): boolean;
  /** The windows, as a store keeps them. */
  windows(): KeptWindow[];
  /** Says `store` now keeps them. */
  savedBy(store: object): void;
}

/**
 * What `analyse` returns, and the windows it used that are `length` long. A shorter window is the
 * series' newest stretch: it grows with the next night, so it would never be found again.
 */
export function keepingWindows<T>(analyse: () => T, length: number): { value: T; used: UsedWindows } {
  const outer = using;
  using = new Map();
  try {
    const value = analyse();
    const full = [...using].filter(([, w]) => w.bits.length / 2 - 1 === length && keepable(w));
    const keys = new Set(full.map(([key]) => key));
    return {
      value,
      used: {
        keptBy: (store) => {
          const kept = storeKeeps.get(store);
          return kept !== undefined && kept.size === keys.size && [...keys].every((k) => kept.has(k));
        },
        windows: () => full.map(([, w]) => keptOf(w)),
        savedBy: (store) => void storeKeeps.set(store, keys),
      },
    };
  } finally {
    using = outer;
  }
}

function keptOf(window: Remembered): KeptWindow {
  const { bits } = window;
  window.kept ??= base64Of(new Uint8Array(bits.buffer, bits.byteOffset, bits.byteLength));
  return { bits: window.kept, points: copied(window.points) };
}

/** JSON keeps a finite number exactly and turns the others to null: only windows whose change points are all finite are kept. */
function keepable({ points }: Remembered): boolean {
  return points.every(
    (p) => Number.isFinite(p.index) && Number.isFinite(p.qhat) && STATS.every((k) => Number.isFinite(p.stats[k])),
  );
}

const STATS = ["mean_1", "mean_2", "std_1", "std_2", "pvalue"] as const;

/** A kept window read back from a store: trusted only when every field is the number it must be. */
function isKeptWindow(w: unknown): w is KeptWindow {
  if (typeof w !== "object" || w === null) return false;
  const { bits, points } = w as Record<string, unknown>;
  return typeof bits === "string" && Array.isArray(points) && points.every(isKeptPoint);
}

function isKeptPoint(p: unknown): boolean {
  if (typeof p !== "object" || p === null) return false;
  const { index, qhat, stats } = p as Record<string, unknown>;
  return (
    Number.isInteger(index) &&
    isFiniteNumber(qhat) &&
    typeof stats === "object" &&
    stats !== null &&
    STATS.every((k) => isFiniteNumber((stats as Record<string, unknown>)[k]))
  );
}

function isFiniteNumber(x: unknown): boolean {
  return typeof x === "number" && Number.isFinite(x);
}

/** A kept window's bits: the threshold and at least one value, whole Float64s. */
function keptBits(base64: string): Uint32Array | null {
  const bytes = bytesOfBase64(base64);
  if (!bytes || bytes.byteLength < 16 || bytes.byteLength % 8 !== 0) return null;
  return new Uint32Array(bytes.buffer);
}

/**
 * Remembers windows a store kept (`keepingWindows`), read from `store`. A hit is still compared
 * bit for bit, so a window read back wrong is only a window computed again; what is not a window
 * is ignored.
 */
export function rememberWindows(kept: readonly KeptWindow[], store: object): void {
  if (!Array.isArray(kept)) return;
  const read = new Set<number>();
  for (const w of kept) {
    if (!isKeptWindow(w)) continue;
    const bits = keptBits(w.bits);
    if (!bits) continue;
    const key = hashOf(bits);
    read.add(key);
    if (memo.has(key)) continue;
    remember(key, {
      bits,
      kept: w.bits,
      points: w.points.map((p) => ({
        index: p.index,
        qhat: p.qhat,
        stats: {
          mean_1: p.stats.mean_1,
          mean_2: p.stats.mean_2,
          std_1: p.stats.std_1,
          std_2: p.stats.std_2,
          pvalue: p.stats.pvalue,
        },
      })),
    });
  }
  while (held > CAPACITY) forget(memo.keys().next().value as number);
  storeKeeps.set(store, read);
}

/** Whether nothing is remembered: a fresh isolate, which the kept windows are for. */
export function noWindowsRemembered(): boolean {
  return memo.size === 0;
}

function remember(key: number, window: Remembered): void {
  memo.set(key, window);
  using?.set(key, window);
  held += window.bits.length / 2;
}

function forget(key: number): void {
  const window = memo.get(key);
  if (!window) return;
  memo.delete(key);
  held -= window.bits.length / 2;
}

/** Windows computed (not found remembered) since the isolate began: what a test can count. */
export function windowsComputed(): number {
  return computed;
}

/** Forgets every window: the next analysis computes each afresh. */
export function forgetWindows(): void {
  memo.clear();
  held = 0;
  storeKeeps = new WeakMap();
}
