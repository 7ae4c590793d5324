// The step runner and the transcript (src/scenario/runner.ts, transcript.ts): steps in simulated
// time, expectations, captured variables, limits, invalid steps, and the text a user reads.
import { expect } from 'chai';
import {
  formatTranscript, loadScenarioText, reportJson, runScenario, runSucceeded, ScenarioError, type RunReport, type RunStepResult,
  type RunScenarioOptions,
} from '../src/scenario';
import { sec } from '../src/sim';
import { testPrograms } from './runner-programs';

const HEAD = `
name: steps
description: Steps in simulated time.
lans: { lan1: {} }
hosts:
  a: { lan: lan1, address: 10.0.0.1/24, docker: false }
  b: { lan: lan1, address: 10.0.0.2/24, docker: false }
steps:
`;

function run(steps: string, opts: RunScenarioOptions = {}): RunReport {
  return runScenario(loadScenarioText(HEAD + steps, 'steps.yaml'), { programs: [testPrograms], ...opts });
}

function runStep(r: RunReport, i: number): RunStepResult {
  const s = r.steps[i];
  if (s?.kind !== 'run') throw new Error(`step ${i} is not a run step`);
  return s;
}

function invalid(steps: string): ScenarioError {
  try {
    run(steps);
  } catch (e) {
    if (e instanceof ScenarioError) return e;
    throw e;
  }
  throw new Error('expected a ScenarioError');
}

describe('runner', () => {
  it('prints the transcript: header, prompts, output, a blank line and the summary', () => {
    const r = run(`
  - echo hello world
  - on: b
    run: echo from b
  - sleep: 30s
  - later 2 done
`);
    expect(formatTranscript(r)).to.equal([
      'steps: Steps in simulated time.',
      'a$ echo hello world',
      'hello world',
      'b$ echo from b',
      'from b',
      '# sleep 30s',
      'a$ later 2 done',
      'done at 32000000000',
      '',
      '0 passed, 0 failed (simulated 32.000 s)',
      '',
    ].join('\n'));
    expect(formatTranscript(r, { wallSeconds: 0.0512, capturesPath: 'captures/steps/' })).to.contain('(simulated 32.000 s, wall 0.05 s)\n');
  });

  it('shows only the name when there is no description, and continuation lines after "> "', () => {
    const r = runScenario(loadScenarioText(`
hosts: { a: { docker: false } }
steps:
  - run: |
      echo one \\
        two
`, 'plain.yaml'), { programs: [testPrograms] });
    expect(formatTranscript(r)).to.equal('plain\na$ echo one \\\n>   two\none two\n\n0 passed, 0 failed (simulated 0.000 s)\n');
  });

  it('advances simulated time only through events: sleep and processes that wait', () => {
    const r = run(`
  - later 1.5 x
  - sleep: 250ms
  - echo now
`);
    expect(runStep(r, 0).endNs).to.equal(sec(1.5));
    expect(r.steps[1]).to.deep.include({ kind: 'sleep', startNs: sec(1.5), endNs: sec(1.75) });
    expect(runStep(r, 2).startNs).to.equal(sec(1.75));
    expect(r.simulatedNs).to.equal(sec(1.75));
  });

  it('counts steps with expectations: passed and failed, and marks each failed check with its position', () => {
    const r = run(`
  - run: echo 5 packets received
    expect: { exit: 0, stdout: [ "5 packets", "/\\\\d+ packets received/" ], not_stdout: "bad address" }
  - run: status 3
    expect:
      exit: 0
      stderr: "status 4"
      not_stderr: [ "/STATUS/i" ]
  - echo no expectations
`);
    expect(r.passed).to.equal(1);
    expect(r.failed).to.equal(1);
    expect(runSucceeded(r)).to.equal(false);
    const failed = runStep(r, 1);
    expect(failed.status).to.equal('failed');
    expect(failed.checks.filter((c) => !c.passed).map((c) => c.message)).to.deep.equal([
      'exit status 3, expected 0',
      'stderr does not contain "status 4"',
      'stderr matches /STATUS/i, which it must not',
    ]);
    const text = formatTranscript(r);
    expect(text).to.contain('a$ status 3\nstatus 3\nFAIL steps.yaml:14:7: exit status 3, expected 0\nFAIL steps.yaml:15:15: stderr does not contain "status 4"\nFAIL steps.yaml:16:21: stderr matches /STATUS/i, which it must not\n');
    expect(text).to.contain('\n1 passed, 1 failed (simulated');
    expect(runStep(r, 2).counted).to.equal(false);
  });

  it('all expectations holding makes the run succeed', () => {
    const r = run(`
  - run: echo ok
    expect: { exit: 0, stdout: ok, not_stderr: error }
`);
    expect(r.passed).to.equal(1);
    expect(runSucceeded(r)).to.equal(true);
  });

  it('captures a regex group into a variable for later steps', () => {
    const r = run(`
  - run: echo id=abc123 rest
    capture: { ID: 'id=([a-z0-9]+)' }
  - on: b
    run: echo got \${ID} and "$ID"
    expect: { stdout: "got abc123 and abc123" }
`);
    expect(runStep(r, 0).captured).to.deep.equal({ ID: 'abc123' });
    expect(runStep(r, 1).argv).to.deep.equal(['echo', 'got', 'abc123', 'and', 'abc123']);
    expect(r.passed).to.equal(2);
  });

  it('a capture that finds nothing fails its step, and a step that needs it is not run', () => {
    const r = run(`
  - run: echo nothing here
    capture: { ID: 'id=([a-z0-9]+)' }
  - echo \${ID}
  - echo still running
`);
    expect(runStep(r, 0).status).to.equal('failed');
    expect(runStep(r, 1).status).to.equal('not-run');
    expect(runStep(r, 2).stdout).to.equal('still running\n');
    expect(r.failed).to.equal(2);
    const text = formatTranscript(r);
    expect(text).to.contain('FAIL steps.yaml:10:5: capture ID: /id=([a-z0-9]+)/ found nothing in stdout\n');
    expect(text).to.contain('a$ echo ${ID}\nFAIL steps.yaml:12:5: not run: it uses ${ID}, which no capture has set');
  });

  it('kills a process that does not exit within the time limit, and goes on', () => {
    const r = run(`
  - hang
  - echo after
`);
    const s = runStep(r, 0);
    expect(s.status).to.equal('killed');
    expect(s.exit).to.equal(137);
    expect(s.stdout).to.equal('waiting\n');
    expect(s.endNs).to.equal(sec(3600));
    expect(runStep(r, 1).stdout).to.equal('after\n');
    expect(r.failed).to.equal(1);
    expect(formatTranscript(r)).to.contain('a$ hang\nwaiting\nFAIL steps.yaml:10:5: killed: still running after 1h of simulated time');
  });

  it('honours a shorter time limit', () => {
    const r = run('  - hang\n', { limits: { processTimeLimit: sec(5) } });
    expect(runStep(r, 0).endNs).to.equal(sec(5));
  });

  it('stops the run when a step exceeds the event budget (a storm), naming the step', () => {
    const r = run(`
  - echo before
  - spin
  - echo never
`, { limits: { maxEventsPerStep: 100_000 } });
    expect(r.steps).to.have.length(1);
    expect(r.aborted?.index).to.equal(1);
    expect(runSucceeded(r)).to.equal(false);
    const text = formatTranscript(r);
    expect(text).to.match(/ABORTED steps\.yaml:11:5: a\$ spin: more than 100000 events in one step \(simulated time 0\.000 s\); the run stopped/);
  });

  it('an unknown command is an invalid scenario naming the step and the known commands', () => {
    const e = invalid('  - echo fine\n  - frobnicate 10.0.0.2\n');
    expect(e.toString()).to.equal('steps.yaml:10:5: unknown command "frobnicate" on a (known: crash, echo, hang, hostinfo, later, probe, spin, status, strict)');
  });

  it('suggests the nearest known command', () => {
    const e = invalid('  - eccho hi\n');
    expect(e.message).to.match(/^unknown command "eccho" on a \(did you mean "echo"\? known: crash, echo, /);
  });

  it('checks every command before running anything', () => {
    let output = '';
    try {
      runScenario(loadScenarioText(`${HEAD}  - echo first\n  - nosuch\n`, 'steps.yaml'), {
        programs: [testPrograms],
        onStepEnd: (s) => { output += s.kind === 'run' ? s.stdout : ''; },
      });
    } catch (e) {
      expect(e).to.be.instanceOf(ScenarioError);
    }
    expect(output).to.equal('');
  });

  it('a bad flag is an invalid scenario with the program\'s complaint', () => {
    const e = invalid('  - strict -v\n  - strict --bogus\n');
    expect(e.toString()).to.equal("steps.yaml:10:5: strict: unrecognized option '--bogus'");
  });

  it('says that docker commands need the Docker Engine emulation, instead of pretending', () => {
    const text = `
lans: { lan1: {} }
routers: { r1: { interfaces: { eth0: { lan: lan1, address: 10.0.0.254/24 } } } }
hosts:
  node1: { lan: lan1, address: 10.0.0.1/24 }
  vm: { lan: lan1, address: 10.0.0.2/24, docker: false }
steps:
  - docker network ls
`;
    const err = (steps: string): string => {
      try {
        runScenario(loadScenarioText(text.replace('  - docker network ls\n', steps), 'd.yaml'), { programs: [testPrograms] });
      } catch (e) {
        return String(e);
      }
      return 'no error';
    };
    expect(err('  - docker network ls\n')).to.match(/^d\.yaml:8:5: docker: the Docker Engine emulation is not available in this build of cnmlab/);
    expect(err('  - on: vm\n    run: docker ps\n')).to.match(/^d\.yaml:8:5: unknown command "docker": "vm" has "docker: false"/);
    expect(err('  - on: r1\n    run: docker ps\n')).to.match(/^d\.yaml:8:5: unknown command "docker": "r1" is a router/);
  });

  it('lets a bug in a program propagate (exit 3 in the CLI)', () => {
    expect(() => run('  - crash\n')).to.throw(Error, 'the crash program crashed');
  });

  it('quiet: only failed steps and the summary', () => {
    const r = run(`
  - echo fine
  - run: status 1
    expect: { exit: 0 }
`);
    expect(formatTranscript(r, { quiet: true })).to.equal('a$ status 1\nstatus 1\nFAIL steps.yaml:12:13: exit status 1, expected 0\n\n0 passed, 1 failed (simulated 0.000 s)\n');
  });

  it('json: steps, outputs, expectations and link statistics', () => {
    const r = run(`
  - run: probe 10.0.0.2
    expect: { exit: 0, stdout: "reply from 10.0.0.2" }
    capture: { TTL: 'ttl=(\\d+)' }
`);
    const doc = JSON.parse(JSON.stringify(reportJson(r, { wallSeconds: 0.5 }))) as Record<string, any>;
    expect(doc).to.deep.include({ scenario: 'steps', description: 'Steps in simulated time.', file: 'steps.yaml', seed: 1, ok: true, passed: 1, failed: 0, wallSeconds: 0.5 });
    const step = doc.steps[0];
    expect(step).to.deep.include({ index: 0, at: 'steps.yaml:10:5', kind: 'run', on: 'a', command: 'probe 10.0.0.2', exit: 0, status: 'done', captured: { TTL: '64' } });
    expect(step.argv).to.deep.equal(['probe', '10.0.0.2']);
    expect(step.stdout).to.match(/^reply from 10\.0\.0\.2 ttl=64/);
    expect(step.expectations).to.deep.equal([
      { kind: 'exit', expected: '0', at: 'steps.yaml:11:13', passed: true },
      { kind: 'stdout', expected: 'reply from 10.0.0.2', at: 'steps.yaml:11:32', passed: true },
      { kind: 'capture', expected: 'ttl=(\\d+)', at: 'steps.yaml:10:5', passed: true },
    ]);
    expect(doc.links.map((l: { ends: string[] }) => l.ends)).to.deep.equal([['lan1:a.eth0', 'a:eth0'], ['lan1:b.eth0', 'b:eth0']]);
    // a sent an ARP request and an echo request (b→a direction of a's port: bToA).
    expect(doc.links[0].bToA).to.deep.equal({ frames: 2, bytes: 42 + 98, drops: {} });
    expect(doc.links[0].aToB.frames).to.equal(2);
  });

  it('the same scenario twice gives the same transcript; another seed changes only what is random', () => {
    const steps = `
  - probe 10.0.0.2
  - sleep: 1s
  - on: b
    run: probe 10.0.0.1
`;
    const a = formatTranscript(run(steps));
    expect(formatTranscript(run(steps))).to.equal(a);
    const other = formatTranscript(run(steps, { seed: 5 }));
    // Jitter comes from the seed: the times differ, the shape does not.
    expect(other.replace(/time=[\d.]+/g, 'time=T')).to.equal(a.replace(/time=[\d.]+/g, 'time=T'));
    expect(run(steps, { seed: 5 }).seed).to.equal(5);
  });
});
