// Loads gnostic's openapi.v2 message definitions that scripts/gen-gnostic.mjs extracted from kubectl at
// build time (gnostic.json beside this module, in dist/ or src/). Lazy: only the first protobuf request
// for /openapi/v2 pays for requiring protobufjs and building the root.

import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type * as PB from 'protobufjs';

/** What gnostic.json holds. */
export interface GnosticFile {
  /** Which binary the descriptor came from. */
  source: string;
  /** protobufjs JSON (Root.toJSON) of openapi.v2 plus google.protobuf.Any, field names as in the .proto. */
  root: PB.INamespace;
}

/** gnostic.json beside this module, or $KUMO_GNOSTIC_DESCRIPTOR. */
export function gnosticPath(): string {
  return process.env.KUMO_GNOSTIC_DESCRIPTOR || fileURLToPath(new URL('./gnostic.json', import.meta.url));
}

let loaded: { path: string; root: PB.Root | null } | undefined;

/** The resolved openapi.v2 root, or null when no descriptor was extracted (or it is unreadable). */
export function gnosticRoot(): PB.Root | null {
  const path = gnosticPath();
  if (loaded && loaded.path === path) return loaded.root;
  let root: PB.Root | null = null;
  if (existsSync(path)) {
    try {
      const file = JSON.parse(readFileSync(path, 'utf8')) as GnosticFile;
      const pb = createRequire(import.meta.url)('protobufjs') as typeof PB;
      root = pb.Root.fromJSON(file.root);
      root.resolveAll();
      root.lookupType('openapi.v2.Document');
    } catch {
      // a damaged or foreign file: behave as if protobuf were not available
      root = null;
    }
  }
  loaded = { path, root };
  return root;
}
