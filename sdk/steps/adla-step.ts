import { ValidationError } from '../../shared/errors';

/**
 * Azure ML's `AdlaStep` ran U-SQL on Azure Data Lake Analytics, which was retired on 2024-02-29.
 * Kept so code ported from Azure ML fails with a message saying what to use instead.
 *
 * @example
 * new AdlaStep({ name: 'usql', scriptName: 'job.usql' }); // throws ValidationError: use DatabricksStep
 */
export class AdlaStep {
  constructor(options?: unknown) {
    const name = typeof options === 'object' && options !== null && 'name' in options && typeof options.name === 'string' ? `(${options.name})` : '';
    throw new ValidationError(
      `AdlaStep${name}: Azure Data Lake Analytics was retired on 2024-02-29, so AdlaStep cannot run; ` +
        'use DatabricksStep (a notebook or Python script on a Databricks cluster, e.g. Spark SQL in place of U-SQL) instead',
      `AdlaStep${name}`,
    );
  }
}
