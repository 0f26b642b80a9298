import { cp, mkdir } from 'node:fs/promises';

/** Fills the folder a step attempt starts in from the step's source folder. */
export interface WorkDirPreparer {
  prepare(codeDir: string | undefined, workDir: string, ctx: { runId: string; step: string }): Promise<void>;
}

/** Copies the source folder as it is (no snapshot store, no ignore rules). */
export class CopyWorkDir implements WorkDirPreparer {
  async prepare(codeDir: string | undefined, workDir: string): Promise<void> {
    await mkdir(workDir, { recursive: true });
    if (codeDir) await cp(codeDir, workDir, { recursive: true });
  }
}
