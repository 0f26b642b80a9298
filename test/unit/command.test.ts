import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { ValidationError } from '../../shared/errors';
import { referencedNames, renderCommand, renderValue } from '../../shared/model/command';

const ORIGIN = 'pipeline.yml:12';
const render = (template: string, inputs: Record<string, string | number | boolean | undefined>, outputs: Record<string, string> = {}) =>
  renderCommand(template, { inputs, outputs }, ORIGIN);

/** What a POSIX shell makes of `command`: its standard output. */
const sh = (command: string) => execFileSync('sh', ['-c', command], { encoding: 'utf8' });

describe('renderCommand', () => {
  const cases: { name: string; template: string; inputs: Record<string, string | number | boolean | undefined>; want: string }[] = [
    { name: 'substitutes inputs and outputs', template: 'python train.py --lr ${{inputs.lr}} --out ${{outputs.model}}', inputs: { lr: 0.1 }, want: 'python train.py --lr 0.1 --out /runs/r1/train/model' },
    { name: 'allows spaces inside the braces', template: 'echo ${{ inputs.lr }}', inputs: { lr: 2 }, want: 'echo 2' },
    { name: 'renders booleans as Python does', template: 'run --a ${{inputs.a}} --b ${{inputs.b}}', inputs: { a: true, b: false }, want: 'run --a True --b False' },
    { name: 'keeps an optional section whose inputs have values', template: 'run $[[--seed ${{inputs.seed}}]] --x', inputs: { seed: 7 }, want: 'run --seed 7 --x' },
    { name: 'drops an optional section with an input without value', template: 'run $[[--seed ${{inputs.seed}} --lr ${{inputs.lr}}]] --x', inputs: { seed: undefined, lr: 1 }, want: 'run  --x' },
    { name: 'keeps an optional section that uses only outputs', template: 'run $[[--out ${{outputs.model}}]]', inputs: {}, want: 'run --out /runs/r1/train/model' },
    { name: 'leaves shell syntax of the template alone', template: 'cd src && python t.py > "${{outputs.model}}/log" # done', inputs: {}, want: 'cd src && python t.py > "/runs/r1/train/model/log" # done' },
    { name: 'quotes a value with a space', template: 'echo ${{inputs.msg}}', inputs: { msg: 'hello world' }, want: "echo 'hello world'" },
    { name: 'quotes an empty value', template: 'echo ${{inputs.msg}}', inputs: { msg: '' }, want: "echo ''" },
    { name: 'quotes a command separator', template: 'echo ${{inputs.msg}}', inputs: { msg: '; rm -rf /' }, want: "echo '; rm -rf /'" },
    { name: 'quotes a command substitution', template: 'echo ${{inputs.msg}}', inputs: { msg: '$(x)' }, want: "echo '$(x)'" },
    { name: 'escapes a single quote', template: 'echo ${{inputs.msg}}', inputs: { msg: "it's" }, want: "echo 'it'\\''s'" },
    { name: 'escapes inside a double-quoted template', template: 'echo "${{inputs.msg}}"', inputs: { msg: 'a "b" $(c) `d` \\e' }, want: 'echo "a \\"b\\" \\$(c) \\`d\\` \\\\e"' },
    { name: 'escapes inside a single-quoted template', template: "echo '${{inputs.msg}}'", inputs: { msg: "a'; rm -rf /; '" }, want: "echo 'a'\\''; rm -rf /; '\\'''" },
  ];
  for (const c of cases) {
    it(c.name, () => assert.equal(render(c.template, c.inputs, { model: '/runs/r1/train/model' }), c.want));
  }

  describe('a value reaches the program exactly as given, whatever it contains', () => {
    const hostile = ['; rm -rf /', '$(touch /tmp/pwned)', '`id`', "it's", 'a "quoted" word', '\\', 'line\nbreak', '$HOME', '*', '--flag=1 && echo no', "'", '"', '#not a comment', ''];
    const templates = ["printf '%s' ${{inputs.v}}", 'printf \'%s\' "${{inputs.v}}"', "printf '%s' '${{inputs.v}}'", "printf '%s' x${{inputs.v}}y", "printf '%s' \"$HOME\" >/dev/null; printf '%s' ${{inputs.v}}"];
    for (const template of templates) {
      it(template, () => {
        for (const value of hostile) {
          const expected = template.includes('x${{') ? `x${value}y` : value;
          assert.equal(sh(render(template, { v: value })), expected, `value ${JSON.stringify(value)}`);
        }
      });
    }
  });

  it('refuses shell characters where the quoting context is unknown, and allows plain values there', () => {
    for (const template of ['echo $(cat ${{inputs.v}})', 'echo `cat ${{inputs.v}}`', 'echo ${X:-${{inputs.v}}}', "echo $'${{inputs.v}}'", 'cat <<EOF\n${{inputs.v}}\nEOF', 'echo \\${{inputs.v}}', 'true # ${{inputs.v}}']) {
      assert.throws(() => render(template, { v: 'a; b' }), (err: unknown) => err instanceof ValidationError && /cannot quote it safely/.test(err.message), template);
      assert.doesNotThrow(() => render(template, { v: 'data/file-1.csv' }), template);
    }
  });

  it('follows simple expansions and comments that end before the value', () => {
    assert.equal(render('echo $(date) ${X} `pwd` $1 ${{inputs.v}}', { v: 'a b' }), "echo $(date) ${X} `pwd` $1 'a b'");
    assert.equal(render('true # note\necho ${{inputs.v}}', { v: 'a b' }), "true # note\necho 'a b'");
  });

  const failures: { name: string; template: string; inputs: Record<string, string | undefined>; message: string }[] = [
    { name: 'unknown input', template: 'run ${{inputs.lrr}}', inputs: { lr: '1', seed: '2' }, message: 'pipeline.yml:12: command: unknown reference ${{inputs.lrr}} (known inputs: lr, seed)' },
    { name: 'unknown output', template: 'run ${{outputs.x}}', inputs: {}, message: 'pipeline.yml:12: command: unknown reference ${{outputs.x}} (known outputs: model)' },
    { name: 'unknown input inside a dropped section', template: 'run $[[${{inputs.q}}]]', inputs: {}, message: 'pipeline.yml:12: command: unknown reference ${{inputs.q}} (known inputs: none)' },
    { name: 'required value missing', template: 'run ${{inputs.seed}}', inputs: { seed: undefined }, message: 'pipeline.yml:12: command: ${{inputs.seed}} has no value (bind input "seed", or put the part that uses it inside $[[ ... ]])' },
    { name: 'unsupported expression', template: 'run ${{search_space.lr}}', inputs: {}, message: 'pipeline.yml:12: command: unsupported expression ${{search_space.lr}} (a command can use ${{inputs.NAME}} and ${{outputs.NAME}})' },
    { name: 'unclosed section', template: 'run $[[--x ${{outputs.model}}', inputs: {}, message: 'pipeline.yml:12: command: "$[[" is never closed with "]]"' },
  ];
  for (const f of failures) {
    it(`rejects: ${f.name}`, () => {
      assert.throws(() => render(f.template, f.inputs, { model: '/m' }), (err: unknown) => {
        assert.ok(err instanceof ValidationError);
        assert.equal(err.message, f.message);
        assert.equal(err.target, ORIGIN);
        return true;
      });
    });
  }
});

describe('renderValue (environment variable values)', () => {
  const values = { inputs: { msg: "it's $HOME; `id`", flag: true, seed: undefined }, outputs: { model: '/runs/r1/train/model' } };
  it('inserts values as they are, booleans as Python prints them', () =>
    assert.equal(renderValue('${{inputs.msg}}|${{inputs.flag}}|${{outputs.model}}', values, ORIGIN, 'environment_variables.X'), "it's $HOME; `id`|True|/runs/r1/train/model"));
  it('drops an optional section whose input has no value', () => assert.equal(renderValue('a$[[-${{inputs.seed}}]]b', values, ORIGIN, 'environment_variables.X'), 'ab'));
  it('names the variable in what it rejects', () => {
    assert.throws(() => renderValue('${{inputs.nope}} ${{inputs.seed}}', values, ORIGIN, 'environment_variables.X'), {
      message: `${ORIGIN}: environment_variables.X: unknown reference \${{inputs.nope}} (known inputs: msg, flag, seed)`,
    });
    assert.throws(() => renderValue('${{inputs.seed}}', values, ORIGIN, 'environment_variables.X'), {
      message: `${ORIGIN}: environment_variables.X: \${{inputs.seed}} has no value (bind input "seed", or put the part that uses it inside $[[ ... ]])`,
    });
  });
});

describe('referencedNames', () => {
  it('lists inputs and outputs, inside optional sections too, and which inputs are used outside them', () => {
    const refs = referencedNames('python t.py ${{inputs.a}} $[[--b ${{inputs.b}}]] ${{outputs.c}} ${{inputs.a}}');
    assert.deepEqual(refs, { inputs: new Set(['a', 'b']), outputs: new Set(['c']), required: new Set(['a']), problems: [] });
  });

  it('reports what is malformed', () => {
    assert.deepEqual(referencedNames('a $[[ b $[[ c ]] ${{parent.inputs.x}} ${{inputs.y').problems, [
      '"$[[" inside another "$[[ ... ]]" section (optional sections cannot be nested)',
      'unsupported expression ${{parent.inputs.x}} (a command can use ${{inputs.NAME}} and ${{outputs.NAME}})',
      '"${{" is never closed (write ${{inputs.NAME}} or ${{outputs.NAME}})',
    ]);
  });

  it('reads templates without sections the same way, malformed ones included', () => {
    assert.deepEqual(referencedNames('run ${{ inputs.a }} ${{outputs.o}} ]] ${{inputs.a}}'), { inputs: new Set(['a']), outputs: new Set(['o']), required: new Set(['a']), problems: [] });
    assert.deepEqual(referencedNames('run ${{${{inputs.a}}').problems, ['unsupported expression ${{${{inputs.a}} (a command can use ${{inputs.NAME}} and ${{outputs.NAME}})']);
    assert.deepEqual(referencedNames('run ${{inputs.a }x}} ${{inputs.b}}').problems, ['unsupported expression ${{inputs.a }x}} (a command can use ${{inputs.NAME}} and ${{outputs.NAME}})']);
  });

  it('treats "]]" outside a section as text', () => {
    assert.equal(render('[[ -d ${{outputs.o}} ]] && echo ok', {}, { o: '/x' }), '[[ -d /x ]] && echo ok');
  });
});
