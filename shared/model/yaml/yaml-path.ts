/** Where a value sits in a YAML file: its keys and list indexes from the top (`jobs.train.inputs.data`). */
export type PathSeg = string | number;

export function formatPath(path: readonly PathSeg[]): string {
  return path.map((seg, i) => (typeof seg === 'number' ? `[${seg}]` : i === 0 ? seg : `.${seg}`)).join('');
}

/** A YAML file read into plain data, with the line of any key (or list item) found by its path. */
export interface ParsedYaml {
  readonly data: unknown;
  /** Line of the key (or list item) at `path`; of the nearest enclosing one when the path does not exist. */
  line(path: readonly PathSeg[]): number;
}
