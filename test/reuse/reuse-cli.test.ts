/**
 * Step reuse end to end through the CLI: real runs, real Python processes, one workspace. Each
 * case changes one thing and checks exactly which steps ran again. Outputs stay in the workspace
 * folder (TRIBUTARY_DATASTORE=none), so deleting one is deleting a folder; reuse on the blob
 * data plane is tested in reuse-activities.test.ts.
 */
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, readdirSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { cli as cliIn, json, project } from '../support/cli';

const cli = (cwd: string, args: string[]) => cliIn(cwd, args, { TRIBUTARY_DATASTORE: 'none' });

const PIPELINE = `type: pipeline
inputs:
  raw:
    type: uri_folder
    path: ./data/raw
  scale: 2
jobs:
  prep:
    type: command
    code: ./src
    command: python3 prep.py --raw \${{inputs.raw}} --out \${{outputs.clean}}
    inputs:
      raw: \${{parent.inputs.raw}}
    outputs:
      clean:
        type: uri_folder
  train:
    type: command
    code: ./src
    command: python3 train.py --data \${{inputs.data}} --scale \${{inputs.scale}} --out \${{outputs.model}}
    inputs:
      data: \${{parent.jobs.prep.outputs.clean}}
      scale: \${{parent.inputs.scale}}
    outputs:
      model:
        type: uri_folder
  report:
    type: command
    command: cat \${{inputs.model}}/model.txt > \${{outputs.report}}/report.txt
    inputs:
      model: \${{parent.jobs.train.outputs.model}}
    outputs:
      report:
        type: uri_folder
  other:
    type: command
    code: ./src
    command: python3 other.py \${{outputs.o}}
    outputs:
      o:
        type: uri_folder
`;

const FILES = {
  'p.yml': PIPELINE,
  'data/raw/a.csv': '1\n2\n',
  'data/raw/b.csv': '3\n',
  'src/.amlignore': 'notes/\n',
  'src/notes/todo.txt': 'remember\n',
  'src/prep.py': `import argparse, os
p = argparse.ArgumentParser(); p.add_argument("--raw"); p.add_argument("--out"); a = p.parse_args()
rows = [line for f in sorted(os.listdir(a.raw)) for line in open(os.path.join(a.raw, f))]
open(os.path.join(a.out, "clean.txt"), "w").write("".join(rows))
`,
  'src/helper.py': 'def scaled(values, k):\n    return [v * k for v in values]\n',
  'src/train.py': `import argparse, os
from helper import scaled
p = argparse.ArgumentParser(); p.add_argument("--data"); p.add_argument("--scale", type=float); p.add_argument("--out"); a = p.parse_args()
values = [float(x) for x in open(os.path.join(a.data, "clean.txt"))]
open(os.path.join(a.out, "model.txt"), "w").write(repr(sum(scaled(values, a.scale))))
`,
  'src/other.py': 'import sys, os\nopen(os.path.join(sys.argv[1], "o.txt"), "w").write("other\\n")\n',
};

interface Outcome {
  id: string;
  ran: string[];
  reused: string[];
  view: any;
}

function run(cwd: string, ...extra: string[]): Outcome {
  const r = cli(cwd, ['run', 'p.yml', '--json', ...extra]);
  assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
  const view = json(r);
  assert.equal(view.status, 'Completed');
  const names = (reused: boolean) => view.steps.filter((s: any) => s.reused === reused).map((s: any) => s.name).sort();
  return { id: view.id, ran: names(false), reused: names(true), view };
}

function step(outcome: Outcome, name: string): any {
  return outcome.view.steps.find((s: any) => s.name === name);
}

function explain(cwd: string, runId: string, name: string): any {
  return json(cli(cwd, ['explain', runId, name, '--json']));
}

describe('step reuse through the CLI (real Python processes)', () => {
  const cwd = project(FILES);
  const edit = (rel: string, content: string) => writeFileSync(path.join(cwd, rel), content);
  let first: Outcome;

  it('first run runs everything; an unchanged second run (in any experiment) reuses every step, spawning nothing', () => {
    first = run(cwd);
    assert.deepEqual(first.ran, ['other', 'prep', 'report', 'train']);
    const second = run(cwd);
    assert.deepEqual(second.reused, ['other', 'prep', 'report', 'train']);
    for (const s of second.view.steps) {
      assert.equal(s.reusedFrom, first.id);
      assert.deepEqual(s.outputs, step(first, s.name).outputs, 'points at the earlier outputs');
    }
    const folder = path.join(cwd, '.tributary', 'runs', second.id);
    assert.ok(!existsSync(folder) || readdirSync(folder).every((d) => !existsSync(path.join(folder, d, 'attempt-1.work'))), 'no attempt folder');
    const shown = cli(cwd, ['show', second.id]).stdout;
    assert.match(shown, new RegExp(`train\\s+Completed.*reused \\(${first.id}\\)`));
    const explained = explain(cwd, second.id, 'train');
    assert.equal(explained.outcome, 'reused');
    assert.deepEqual(explained.reusedFrom, { runId: first.id, step: 'train' });
    assert.deepEqual(run(cwd, '--experiment', 'elsewhere').reused, ['other', 'prep', 'report', 'train'], 'across experiments too');
  });

  it('editing one script in a shared folder reruns that step and its downstream only', () => {
    edit('src/prep.py', `${FILES['src/prep.py']}open(os.path.join(a.out, "clean.txt"), "a").write("10\\n")\n`);
    const r = run(cwd);
    assert.deepEqual(r.ran, ['prep', 'report', 'train']);
    assert.deepEqual(r.reused, ['other']);
    const why = explain(cwd, r.id, 'prep');
    assert.equal(why.reason.why, 'no-match');
    assert.ok(why.closest.differences.some((d: any) => d.detail === 'snapshot file prep.py changed (the step read it)'), JSON.stringify(why.closest));
    const train = explain(cwd, r.id, 'train');
    assert.ok(train.closest.differences.some((d: any) => /upstream output prep.clean changed/.test(d.detail)), JSON.stringify(train.closest));
  });

  it('an edit that leaves a step output unchanged stops there: its consumers are reused', () => {
    appendFileSync(path.join(cwd, 'src/prep.py'), '# a comment only\n');
    const r = run(cwd);
    assert.deepEqual(r.ran, ['prep']);
    assert.deepEqual(r.reused, ['other', 'report', 'train']);
  });

  it('editing a helper module the script imports reruns that step and downstream, nothing else', () => {
    edit('src/helper.py', 'def scaled(values, k):\n    return [v * k + 1 for v in values]\n');
    const r = run(cwd);
    assert.deepEqual(r.ran, ['report', 'train']);
    const why = explain(cwd, r.id, 'train');
    assert.deepEqual(
      why.closest.differences.map((d: any) => d.detail),
      ['snapshot file helper.py changed (the step read it)'],
    );
    assert.match(cli(cwd, ['explain', r.id, 'train']).stdout, /Closest earlier run: .*\n {2}- snapshot file helper\.py changed \(the step read it\)/);
  });

  it('changing a parameter reruns only the step that uses it and its downstream', () => {
    const r = run(cwd, '--set', 'inputs.scale=3');
    assert.deepEqual(r.ran, ['report', 'train']);
    const why = explain(cwd, r.id, 'train');
    assert.ok(why.closest.differences.some((d: any) => d.detail === 'parameter scale: 2 → 3'), JSON.stringify(why.closest));
  });

  it('touching every file (mtime only) reruns nothing', () => {
    const later = new Date(Date.now() + 60_000);
    for (const rel of Object.keys(FILES)) utimesSync(path.join(cwd, rel), later, later);
    assert.deepEqual(run(cwd).ran, []);
  });

  it('changing a file matched by .amlignore reruns nothing', () => {
    edit('src/notes/todo.txt', 'something else entirely\n');
    assert.deepEqual(run(cwd).ran, []);
  });

  it('changing one file of a folder input reruns its consumers, and explain names the file', () => {
    edit('data/raw/b.csv', '4\n');
    const r = run(cwd);
    assert.deepEqual(r.ran, ['prep', 'report', 'train']);
    const why = explain(cwd, r.id, 'prep');
    const details = why.closest.differences.map((d: any) => d.detail);
    assert.equal(details.length, 1, details.join('; '));
    assert.match(details[0], /^input raw \(.*data\/raw\): file b\.csv changed \(2 → 2 bytes\)$/);
  });

  it('deleting an earlier output reruns the step, and the index then points at the new run', () => {
    const before = run(cwd);
    const uri = step(before, 'other').outputs.o.uri;
    rmSync(uri, { recursive: true, force: true });
    const r = run(cwd);
    assert.deepEqual(r.ran, ['other']);
    assert.equal(explain(cwd, r.id, 'other').reason.why, 'outputs-missing');
    const after = run(cwd);
    assert.equal(step(after, 'other').reusedFrom, r.id);
  });

  it('--regenerate reruns every step', () => {
    assert.deepEqual(run(cwd, '--regenerate').ran, ['other', 'prep', 'report', 'train']);
  });

  it('plan says what would be reused and what would run, and why, without running anything', () => {
    const runsBefore = json(cli(cwd, ['runs', '--json'])).runs.length;
    const same = json(cli(cwd, ['plan', 'p.yml', '--json']));
    assert.deepEqual(same.steps.map((s: any) => s.action), ['reuse', 'reuse', 'reuse', 'reuse']);
    edit('src/helper.py', 'def scaled(values, k):\n    return [v * k + 2 for v in values]\n');
    const planned = json(cli(cwd, ['plan', 'p.yml', '--json']));
    const byName = Object.fromEntries(planned.steps.map((s: any) => [s.step, s]));
    assert.equal(byName.prep.action, 'reuse');
    assert.equal(byName.other.action, 'reuse');
    assert.equal(byName.train.action, 'run');
    assert.deepEqual(byName.train.closest.differences.map((d: any) => d.detail), ['snapshot file helper.py changed (the step read it)']);
    assert.equal(byName.report.action, 'run');
    assert.match(byName.report.why, /upstream step train will run/);
    const text = cli(cwd, ['plan', 'p.yml']).stdout;
    assert.match(text, /2 of 4 steps would be reused, 2 would run \(nothing was run\)/);
    assert.match(text, /report\s+run\s+upstream step train will run/);
    assert.equal(json(cli(cwd, ['runs', '--json'])).runs.length, runsBefore, 'plan started no run');
    assert.deepEqual(run(cwd).ran, ['report', 'train'], 'the run does what the plan said');
  });
});

describe('allow_reuse: false', () => {
  it('reruns that step every time; its consumers still reuse when its output is the same', () => {
    const cwd = project({
      'p.yml': `type: pipeline
jobs:
  stamp:
    type: command
    command: echo fixed > \${{outputs.o}}/v
    outputs:
      o:
        type: uri_folder
    tributary:
      allow_reuse: false
  use:
    type: command
    command: cat \${{inputs.i}}/v > \${{outputs.o}}/v
    inputs:
      i: \${{parent.jobs.stamp.outputs.o}}
    outputs:
      o:
        type: uri_folder
`,
    });
    run(cwd);
    const r = run(cwd);
    assert.deepEqual(r.ran, ['stamp']);
    assert.deepEqual(r.reused, ['use']);
    assert.equal(explain(cwd, r.id, 'stamp').reason.why, 'allow-reuse-off');
  });
});

describe('a folder input holding a symlink to a folder', () => {
  it('changing a file in the linked folder reruns the step that reads it', () => {
    const cwd = project({
      'p.yml': `type: pipeline
inputs:
  data:
    type: uri_folder
    path: ./data
jobs:
  read:
    type: command
    command: cat \${{inputs.data}}/linked/e.txt > \${{outputs.o}}/v
    inputs:
      data: \${{parent.inputs.data}}
    outputs:
      o:
        type: uri_folder
`,
      'data/a.txt': 'a\n',
      'ext/e.txt': 'one\n',
    });
    symlinkSync('../ext', path.join(cwd, 'data', 'linked'));
    assert.deepEqual(run(cwd).ran, ['read']);
    assert.deepEqual(run(cwd).ran, [], 'unchanged: reused');
    writeFileSync(path.join(cwd, 'ext', 'e.txt'), 'two\n');
    const r = run(cwd);
    assert.deepEqual(r.ran, ['read']);
    assert.match(explain(cwd, r.id, 'read').closest.differences[0].detail, /^input data \(.*data\): file linked\/e\.txt changed/);
  });
});

describe('an earlier output edited in the workspace folder', () => {
  it('is not reused: its step runs again, and its consumer (same input as recorded) is reused', () => {
    const cwd = project({
      'p.yml': `type: pipeline
jobs:
  make:
    type: command
    command: printf one > \${{outputs.o}}/v.txt && printf two > \${{outputs.o}}/w.txt
    outputs:
      o:
        type: uri_folder
  use:
    type: command
    command: cat \${{inputs.i}}/v.txt \${{inputs.i}}/w.txt > \${{outputs.o}}/both.txt
    inputs:
      i: \${{parent.jobs.make.outputs.o}}
    outputs:
      o:
        type: uri_folder
`,
    });
    const first = run(cwd);
    const folder = step(first, 'make').outputs.o.uri;
    writeFileSync(path.join(folder, 'v.txt'), 'ONE');
    const edited = run(cwd);
    assert.deepEqual(edited.ran, ['make']);
    assert.deepEqual(edited.reused, ['use']);
    const why = explain(cwd, edited.id, 'make').reason;
    assert.deepEqual([why.why, why.staleRunId], ['outputs-missing', first.id]);
    rmSync(path.join(step(edited, 'make').outputs.o.uri, 'w.txt'));
    assert.deepEqual(run(cwd).ran, ['make'], 'a file deleted from it too');
  });
});
