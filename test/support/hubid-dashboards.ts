/** Firewood's (HUBId/chain's) real dashboard manifest and exports, as committed. */
import consensus from "../fixtures/hubid-chain/docs/dashboards/pipeline_consensus_finality.json?raw";
import overview from "../fixtures/hubid-chain/docs/dashboards/pipeline_overview.json?raw";
import proof from "../fixtures/hubid-chain/docs/dashboards/pipeline_proof_validation.json?raw";
import storage from "../fixtures/hubid-chain/docs/dashboards/pipeline_storage_commit.json?raw";
import wallet from "../fixtures/hubid-chain/docs/dashboards/pipeline_wallet_intake.json?raw";
import snapshot from "../fixtures/hubid-chain/docs/dashboards/snapshot_resilience.json?raw";
import manifest from "../fixtures/hubid-chain/docs/performance_dashboards.json?raw";

export const MANIFEST_PATH = "docs/performance_dashboards.json";

/** Repository path → exact text. */
export const FILES: Record<string, string> = {
  [MANIFEST_PATH]: manifest,
  "docs/dashboards/pipeline_consensus_finality.json": consensus,
  "docs/dashboards/pipeline_overview.json": overview,
  "docs/dashboards/pipeline_proof_validation.json": proof,
  "docs/dashboards/pipeline_storage_commit.json": storage,
  "docs/dashboards/pipeline_wallet_intake.json": wallet,
  "docs/dashboards/snapshot_resilience.json": snapshot,
};

/** The exports as Grafana would serve them when nothing drifted. */
export function liveDashboards(): Record<string, unknown>[] {
  return Object.entries(FILES)
    .filter(([path]) => path !== MANIFEST_PATH)
    .map(([, text]) => JSON.parse(text));
}

/** The findings the real files give without Grafana: what Firewood's manifest verifier reports. */
export const OFFLINE_FINDINGS = [
  "pipeline-wallet-intake: version: manifest 2, export 1",
  "pipeline-proof-validation: sha256: manifest afa3b7e9a67ec6fd29483f619e3407e424e349669518fddd5dfc798d71ad6788, export 1c516f7ad010e38644be93a21a58ae05b462149ec1e8cf0846d636e8f1fe32c9",
  "pipeline-consensus-finality: version: manifest 2, export 1",
  "snapshot-resilience: sha256: manifest 5e14aa7dfaaeb3b42fb3a1a18ea60662ab545cca85a7603b8e0a1f936d9c2529, export 258b90d2f22858e9bf7eb80d88b8a910b70144a251e93610487def686223b24e",
];
