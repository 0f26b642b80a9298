/**
 * Records ↔ Cosmos documents. Documents carry the record's fields plus their partition key and a
 * `type` (runs, step runs and metrics share the `runs` container); reading strips what Cosmos and
 * this mapping added, so a record round-trips exactly (an absent optional field stays absent).
 */
import { randomUUID } from 'node:crypto';
import type { ExperimentRecord, MetricRecord, ReuseRecord, RunRecord, StepRunRecord } from '../records';
import { cosmosId, stripSystem, type CosmosSystem } from './cosmos-items';

export type DocType = 'run' | 'step' | 'metric';

export type RunDoc = RunRecord & { runId: string; type: 'run' } & CosmosSystem;
export type StepDoc = StepRunRecord & { id: string; type: 'step' } & CosmosSystem;
export type MetricDoc = MetricRecord & { id: string; type: 'metric'; seq: number } & CosmosSystem;
export type ReuseDoc = ReuseRecord & { id: string } & CosmosSystem;
export type ExperimentDoc = ExperimentRecord & { id: string } & CosmosSystem;

/** Step run documents live next to their run: `step~<name>` never collides with a run id. */
export const stepDocId = (step: string): string => `step~${step}`;

export function runToDoc(run: RunRecord): RunDoc {
  return { ...run, runId: run.id, type: 'run' };
}

export function docToRun(doc: RunDoc): RunRecord {
  const { runId: _runId, type: _type, ...record } = stripSystem(doc);
  return record;
}

export function stepToDoc(step: StepRunRecord): StepDoc {
  return { ...step, id: stepDocId(step.step), type: 'step' };
}

export function docToStep(doc: StepDoc): StepRunRecord {
  const { id: _id, type: _type, ...record } = stripSystem(doc);
  return record;
}

let metricSeq = 0;
/** Metrics keep the order they were added in (`seq`), for listings. */
export function metricToDoc(metric: MetricRecord): MetricDoc {
  return { ...metric, id: randomUUID(), type: 'metric', seq: Date.now() * 1000 + (metricSeq++ % 1000) };
}

export function docToMetric(doc: MetricDoc): MetricRecord {
  const { id: _id, type: _type, seq: _seq, ...record } = stripSystem(doc);
  return record;
}

/** Reuse keys are hashes (`sha256:…`), checked rather than trusted. */
export function reuseDocId(key: string): string {
  return cosmosId(key, 'reuse key', 'key');
}

export function reuseToDoc(record: ReuseRecord): ReuseDoc {
  return { ...record, id: reuseDocId(record.key) };
}

export function docToReuse(doc: ReuseDoc): ReuseRecord {
  const { id: _id, ...record } = stripSystem(doc);
  return record;
}

export function docToExperiment(doc: ExperimentDoc): ExperimentRecord {
  const { id: _id, ...record } = stripSystem(doc);
  return record;
}
