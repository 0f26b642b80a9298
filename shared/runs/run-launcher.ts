/**
 * Starts and stops the driver of a submitted run. Locally: a detached worker process that reads
 * CancelRequested from the run store. In Azure: a Durable orchestration instance (started with the
 * Durable client, canceled with a RunEvent). The HTTP API, CLI and SDK only see this port.
 */
export interface RunLauncher {
  /** Starts driving a run that was recorded as NotStarted. */
  start(runId: string): Promise<void>;
  /** Asks a running run to stop; running steps are canceled, nothing new starts. */
  cancel(runId: string, reason: string): Promise<void>;
}
