/** Worker thread of WalCheckpointer: a PASSIVE checkpoint of each database every `everyMs`. */
import { DatabaseSync } from 'node:sqlite';
import { workerData } from 'node:worker_threads';

function isSettings(value: unknown): value is { files: string[]; everyMs: number } {
  return (
    typeof value === 'object' && value !== null && 'files' in value && Array.isArray(value.files) && value.files.every((f) => typeof f === 'string') &&
    'everyMs' in value && typeof value.everyMs === 'number'
  );
}

function run(): void {
  const settings: unknown = workerData;
  if (!isSettings(settings)) throw new Error('wal-checkpoint-thread: expected { files, everyMs } as workerData');
  const databases = settings.files.map((file) => new DatabaseSync(file));
  setInterval(() => {
    for (const db of databases) {
      try {
        // exec, not a prepared statement: nothing stays open that would pin the WAL.
        db.exec('PRAGMA wal_checkpoint(PASSIVE)');
      } catch {
        // Busy or locked: the next tick tries again; SQLite's own checkpoints still run as before.
      }
    }
  }, settings.everyMs);
}

run();
