/** A step's stdout/stderr as text; `follow=true` streams until the step attempt ends. */
import { NotFoundError, ValidationError } from '../../errors';
import { stepLogChunks } from '../logs/follow-logs';
import type { LogStream } from '../logs/step-log-source';
import type { ApiHandler } from '../types';
import { queryObject } from '../validate';
import { oneOf, param } from './common';
import { getRunRecord } from './runs';

const STREAMS = ['all', 'stdout', 'stderr'] as const;

function flag(value: string | undefined, target: string): boolean {
  const parsed = oneOf(['true', 'false', '1', '0'], value, target);
  return parsed === 'true' || parsed === '1';
}

export const getStepLogs: ApiHandler = async ({ req, services }) => {
  const query = queryObject(req.url.searchParams, ['follow', 'stream', 'attempt']);
  const run = await getRunRecord(services, param(req, 'id'));
  const step = param(req, 'step');
  if (!Object.hasOwn(run.definition.steps, step)) {
    throw new NotFoundError(`run "${run.id}" has no step "${step}" (steps: ${Object.keys(run.definition.steps).join(', ')})`, 'step');
  }
  const stream = oneOf(STREAMS, query['stream'], 'stream') ?? 'all';
  let attempt: number | undefined;
  if (query['attempt'] !== undefined) {
    if (!/^[1-9]\d{0,3}$/.test(query['attempt'])) throw new ValidationError(`attempt must be a whole number from 1 (got ${JSON.stringify(query['attempt'])})`, 'attempt');
    attempt = Number(query['attempt']);
  }
  const streams: LogStream[] = stream === 'all' ? ['stdout', 'stderr'] : [stream];
  return {
    status: 200,
    headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' },
    stream: stepLogChunks({
      runs: services.runs,
      logs: services.stepLogs,
      runId: run.id,
      step,
      ...(attempt !== undefined ? { attempt } : {}),
      streams,
      follow: flag(query['follow'], 'follow'),
    }),
  };
};
