import { execFileSync } from 'node:child_process';
import trainPackage from '../package.json' with { type: 'json' };

/** What a built-in run records as the code that trained it. */
export interface CodeVersion {
  /** The deployed build's git commit. */
  readonly gitSha: string;
  /** This trainer, `@flywheel/train@<version>`. */
  readonly trainer: string;
}

export const TRAINER_VERSION = `${trainPackage.name}@${trainPackage.version}`;

/**
 * The running code's version. A deployed bundle has the commit written in at build time
 * (infra/node-build.ts defines `process.env.FLYWHEEL_GIT_SHA`); locally it is that variable when
 * set, else `git rev-parse HEAD` of the working directory, else "unknown".
 */
export function currentCodeVersion(): CodeVersion {
  // Written out whole so that the bundler's define replaces it.
  return { gitSha: process.env.FLYWHEEL_GIT_SHA || localGitSha(), trainer: TRAINER_VERSION };
}

function localGitSha(): string {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown';
  }
}
