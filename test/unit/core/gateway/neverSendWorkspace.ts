// A workspace folder on disk with neverSend files, indexed as the extension indexes it: every
// file the folder's real matcher calls neverSend (listed here by walking the folder, where the
// extension asks findFiles) is read into a NeverSendIndex with the real readRegular.
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { applyUserOverrides, NeverSendIndex, resolveEffectivePolicy, type EffectivePolicy, type Feature, type FeatureRuleOverride, type NeverSendContent } from "../../../../src/core/policy";

/** The review's `.env`: values no secret rule knows by their shape, and one that a rule may (PW). */
export const ENV_TEXT = "INTERNAL_DB_HOST=db7.prod.corp.internal\nLICENSE_SEAT_ID=ACME-4471-ZQ-9\nPW=Xy7kPq2mZ9vB\nPORT=8080\n";
/** What of ENV_TEXT must not leave: a whole line, and values. */
export const ENV_SECRETS = ["db7.prod.corp.internal", "ACME-4471-ZQ-9", "Xy7kPq2mZ9vB"];

export interface IndexedWorkspace {
  readonly dir: string;
  readonly index: NeverSendIndex;
  /** The folder's policy: the user's settings, the built-in neverSend list, rooted at the folder. */
  policy(features: Partial<Record<Feature, FeatureRuleOverride>>, options?: { redactSecrets?: boolean }): EffectivePolicy;
  /** The gateway's neverSendContent. */
  content(): Promise<NeverSendContent>;
  remove(): Promise<void>;
}

export async function indexedWorkspace(files: Readonly<Record<string, string>>): Promise<IndexedWorkspace> {
  const dir = await mkdtemp(join(tmpdir(), "hearth-nsws-"));
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), text);
  }
  const policy = (features: Partial<Record<Feature, FeatureRuleOverride>>, options: { redactSecrets?: boolean } = {}): EffectivePolicy =>
    resolveEffectivePolicy({ userDefaults: applyUserOverrides({ features, neverSend: [], redactSecrets: options.redactSecrets }), trusted: true, consents: new Set(), root: dir });
  const matcher = policy({}).neverSend;
  const listed = (await readdir(dir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
  const index = new NeverSendIndex();
  await index.setFolder(dir, listed.filter((path) => matcher.matches(path)));
  return {
    dir,
    index,
    policy,
    content: async () => {
      await index.settled();
      return index.content();
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
