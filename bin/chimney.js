#!/usr/bin/env node
// Node runs chimney's TypeScript through tsx's loader; Deno runs src/cli/entry.ts directly.
import { register } from "tsx/esm/api";

register();
await import("../src/cli/entry.ts");
