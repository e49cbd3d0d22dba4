// The order files go into the pack: least likely to change first. A model server reuses an
// evaluated prefix only up to the first changed token, so a file edited every day belongs
// at the end and a licence at the front. With git history: files untouched in the window
// first, then changed files from the longest-ago change to the newest (rarely changed
// first on ties), then untracked files (work in progress). Without git: docs, then
// config, then code, then tests, each by path. Ties always fall back to the path, so the
// same inputs give the same order.
import type { GitHistory } from "./gitHistory";

export type FileCategory = "docs" | "config" | "code" | "test";

const DOC_NAME = /^(readme|license|licence|copying|notice|contributing|changelog|changes|history|authors|code_of_conduct|security|architecture)(\.|$)/i;
const DOC_EXT = /\.(md|mdx|markdown|rst|adoc|txt)$/i;
const CONFIG_NAME =
  /^(package\.json|tsconfig(\..+)?\.json|jsconfig\.json|pyproject\.toml|setup\.(py|cfg)|requirements(-\w+)?\.txt|cargo\.toml|go\.mod|pom\.xml|build\.gradle(\.kts)?|settings\.gradle(\.kts)?|makefile|cmakelists\.txt|dockerfile|docker-compose\.ya?ml|\.gitignore|\.gitattributes|\.editorconfig|\.npmrc|\.nvmrc|gemfile|rakefile|composer\.json|deno\.jsonc?|\.eslintrc(\..+)?|eslint\.config\.\w+|\.prettierrc(\..+)?|vite\.config\.\w+|webpack\.config\.\w+|esbuild\.\w+|rollup\.config\.\w+|jest\.config\.\w+|vitest\.config\.\w+|babel\.config\.\w+|\.babelrc)$/i;
const CONFIG_EXT = /\.(toml|ini|cfg|conf|ya?ml|properties)$/i;
const TEST_PATH = /(^|\/)(test|tests|__tests__|spec|specs|testing)\/|\.(test|spec)\.\w+$|(^|\/)test_[^/]+\.py$|_test\.(go|py|rs)$/i;

export function categoryOf(path: string): FileCategory {
  const name = path.slice(path.lastIndexOf("/") + 1);
  if (DOC_NAME.test(name) || DOC_EXT.test(name) || /(^|\/)docs?\//i.test(path)) return "docs";
  if (CONFIG_NAME.test(name) || CONFIG_EXT.test(name)) return "config";
  if (TEST_PATH.test(path)) return "test";
  return "code";
}

const CATEGORY_RANK: Readonly<Record<FileCategory, number>> = { docs: 0, config: 1, code: 2, test: 3 };

function comparePaths(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function byCategoryThenPath(a: string, b: string): number {
  return CATEGORY_RANK[categoryOf(a)] - CATEGORY_RANK[categoryOf(b)] || comparePaths(a, b);
}

/** Paths in pack order (a new array). */
export function stabilityOrder(paths: readonly string[], history: GitHistory | undefined): string[] {
  if (history === undefined) return [...paths].sort(byCategoryThenPath);
  const group = (path: string): number => {
    if (!history.tracked.has(path)) return 2;
    return history.files.get(path)?.newest === undefined ? 0 : 1;
  };
  return [...paths].sort((a, b) => {
    const ga = group(a);
    const gb = group(b);
    if (ga !== gb) return ga - gb;
    if (ga === 1) {
      const ha = history.files.get(a)!;
      const hb = history.files.get(b)!;
      // A larger index is an older newest change: it goes first.
      return hb.newest! - ha.newest! || ha.commits - hb.commits || comparePaths(a, b);
    }
    return byCategoryThenPath(a, b);
  });
}
