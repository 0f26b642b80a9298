/**
 * FakeInstantCompute: a compute target for benchmarks and orchestration tests that runs nothing.
 * A submitted job "writes" its outputs at once (a marker file in each output folder, so output
 * checks pass) and reports Running for a few polls before it ends, so the monitor loop is used.
 * It ends Succeeded, or Failed with the exit code `exitCode(jobId)` gives.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ComputeTarget, JobStatus, StepJob } from '../../../shared/compute/compute-target';

export class FakeInstantCompute implements ComputeTarget {
  readonly submitted: string[] = [];
  private readonly polls = new Map<string, number>();
  private readonly canceled = new Set<string>();

  /** `pollsUntilDone(jobId)`: how many polls report Running before the job ends (default 1). */
  constructor(
    readonly name: string,
    private readonly pollsUntilDone: (jobId: string) => number = () => 1,
    private readonly exitCode: (jobId: string) => number = () => 0,
  ) {}

  async submit(job: StepJob): Promise<string> {
    this.submitted.push(job.id);
    for (const [name, target] of Object.entries(job.env)) {
      if (!name.startsWith('TRIBUTARY_OUTPUT_')) continue;
      await mkdir(target, { recursive: true });
      await writeFile(path.join(target, 'fake-output.txt'), job.id);
    }
    return job.id;
  }

  async poll(handle: string): Promise<JobStatus> {
    if (this.canceled.has(handle)) return { state: 'Canceled', message: 'canceled' };
    const polls = (this.polls.get(handle) ?? 0) + 1;
    this.polls.set(handle, polls);
    if (polls <= this.pollsUntilDone(handle)) return { state: 'Running' };
    const exitCode = this.exitCode(handle);
    return exitCode === 0 ? { state: 'Succeeded', exitCode } : { state: 'Failed', exitCode, message: `exit code ${exitCode}` };
  }

  async cancel(handle: string): Promise<void> {
    this.canceled.add(handle);
  }
}
