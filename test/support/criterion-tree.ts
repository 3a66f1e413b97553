import proofsBenchmark from "../fixtures/formats/criterion/Proofs/single_key_proof_generate/new/benchmark.json?raw";
import proofsEstimates from "../fixtures/formats/criterion/Proofs/single_key_proof_generate/new/estimates.json?raw";
import merkleBaseBenchmark from "../fixtures/formats/criterion/Merkle/insert/base/benchmark.json?raw";
import merkleBaseEstimates from "../fixtures/formats/criterion/Merkle/insert/base/estimates.json?raw";
import merkleChange from "../fixtures/formats/criterion/Merkle/insert/change/estimates.json?raw";
import merkleBenchmark from "../fixtures/formats/criterion/Merkle/insert/new/benchmark.json?raw";
import merkleEstimates from "../fixtures/formats/criterion/Merkle/insert/new/estimates.json?raw";
import merkleSample from "../fixtures/formats/criterion/Merkle/insert/new/sample.json?raw";
import merkleReport from "../fixtures/formats/criterion/Merkle/insert/report/index.html?raw";
import merkleGroupReport from "../fixtures/formats/criterion/Merkle/report/index.html?raw";
import hashEstimates from "../fixtures/formats/criterion/hash/new/estimates.json?raw";
import insertBenchmark from "../fixtures/formats/criterion/insert/1000/new/benchmark.json?raw";
import insertEstimates from "../fixtures/formats/criterion/insert/1000/new/estimates.json?raw";
import report from "../fixtures/formats/criterion/report/index.html?raw";

/** test/fixtures/formats/criterion, as Firewood's `benchmark-results` artifact holds it (upload-artifact of target/criterion). */
export const CRITERION: Record<string, string> = {
  "Merkle/insert/base/benchmark.json": merkleBaseBenchmark,
  "Merkle/insert/base/estimates.json": merkleBaseEstimates,
  "Merkle/insert/change/estimates.json": merkleChange,
  "Merkle/insert/new/benchmark.json": merkleBenchmark,
  "Merkle/insert/new/estimates.json": merkleEstimates,
  "Merkle/insert/new/sample.json": merkleSample,
  "Merkle/insert/report/index.html": merkleReport,
  "Merkle/report/index.html": merkleGroupReport,
  "Proofs/single_key_proof_generate/new/benchmark.json": proofsBenchmark,
  "Proofs/single_key_proof_generate/new/estimates.json": proofsEstimates,
  "hash/new/estimates.json": hashEstimates,
  "insert/1000/new/benchmark.json": insertBenchmark,
  "insert/1000/new/estimates.json": insertEstimates,
  "report/index.html": report,
};
