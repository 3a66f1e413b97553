/**
 * One whole upload's CPU at 0, 1 000 and 10 000 runs of history, and the newest page's crossing
 * from the ledger, printed as JSON: run by
 * `uploadCpus` in a process of its own under `--single-threaded`, so that the garbage
 * collector's and the compiler's work is done, and counted, on the one thread that uploads
 * rather than on helper threads that `process.cpuUsage` adds in or not by chance.
 */
import { pageCrossingCpu, uploadCpu, type UploadCpus } from "./cpu.ts";

const upload = [await uploadCpu(0), await uploadCpu(1_000), await uploadCpu(10_000)];
console.log(JSON.stringify({ upload, page_crossing: pageCrossingCpu() } satisfies UploadCpus));
