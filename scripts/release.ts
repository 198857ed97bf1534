/**
 * The release workflow's checks, runnable locally (`.github/workflows/release.yml` calls these through
 * npm scripts, and test/release.test.ts runs them):
 *
 *   npx tsx scripts/release.ts check X.Y.Z   # the version is in package.json, src/version.ts and CHANGELOG.md;
 *                                            # prints `tag=vX.Y.Z` and `major=vX` for $GITHUB_OUTPUT
 *   npx tsx scripts/release.ts notes X.Y.Z   # the CHANGELOG section of X.Y.Z, for the GitHub release
 *
 * A pre-release (`1.2.0-rc.1`) gets its own tag but never moves the major tag users pin (`v1`).
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** What the release will do, or why it cannot. */
export interface ReleasePlan {
  version: string;
  /** `vX.Y.Z`, the immutable tag. */
  tag: string;
  /** `vX`, the tag `uses: …@v1` follows; undefined for a pre-release. */
  major: string | undefined;
  problems: string[];
}

const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-([0-9A-Za-z.-]+))?$/;

/** Checks `version` against the sources that must already say it. */
export function releasePlan(
  version: string,
  sources: { packageVersion: string; sourceVersion: string; changelog: string },
): ReleasePlan {
  const problems: string[] = [];
  const m = SEMVER.exec(version);
  if (!m) problems.push(`"${version}" is not a semantic version X.Y.Z (no leading "v")`);
  if (sources.packageVersion !== version)
    problems.push(`package.json says ${sources.packageVersion}: run \`npm version ${version} --no-git-tag-version\``);
  if (sources.sourceVersion !== version) problems.push(`src/version.ts says ${sources.sourceVersion}`);
  if (!changelogSection(sources.changelog, version))
    problems.push(`CHANGELOG.md has no "## [${version}]" section: move the Unreleased entries under it`);
  return { version, tag: `v${version}`, major: m && !m[4] ? `v${m[1]}` : undefined, problems };
}

/** The body of `## [version]` in the changelog, without its heading; undefined when there is none. */
export function changelogSection(changelog: string, version: string): string | undefined {
  const lines = changelog.split('\n');
  const start = lines.findIndex((l) => l.startsWith(`## [${version}]`));
  if (start === -1) return undefined;
  const end = lines.findIndex((l, i) => i > start && l.startsWith('## '));
  const body = lines.slice(start + 1, end === -1 ? undefined : end);
  // Link references at the end of the file belong to no section.
  while (body.length && (body.at(-1)!.trim() === '' || /^\[[^\]]+\]: /.test(body.at(-1)!))) body.pop();
  return body.join('\n').trim();
}

function readSources() {
  return {
    packageVersion: (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version,
    sourceVersion: /VERSION = '([^']+)'/.exec(readFileSync(join(ROOT, 'src/version.ts'), 'utf8'))?.[1] ?? '(none)',
    changelog: readFileSync(join(ROOT, 'CHANGELOG.md'), 'utf8'),
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [command, version = ''] = process.argv.slice(2);
  const sources = readSources();
  if (command === 'check') {
    const plan = releasePlan(version, sources);
    if (plan.problems.length) {
      for (const p of plan.problems) console.error(`release ${version}: ${p}`);
      process.exit(1);
    }
    console.log(`tag=${plan.tag}`);
    console.log(`major=${plan.major ?? ''}`);
  } else if (command === 'notes') {
    const notes = changelogSection(sources.changelog, version);
    if (notes === undefined) {
      console.error(`CHANGELOG.md has no "## [${version}]" section`);
      process.exit(1);
    }
    console.log(notes);
  } else {
    console.error('usage: tsx scripts/release.ts check|notes X.Y.Z');
    process.exit(2);
  }
}
