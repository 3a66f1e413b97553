/** A change point of a series, as the analysis (analysis.ts) finds it and the window memo keeps it. */
import type { TTest } from "./significance.ts";

/** The series changes at `index` (the first point after the change). */
export interface ChangePoint {
  index: number;
  qhat: number;
  stats: TTest;
}
