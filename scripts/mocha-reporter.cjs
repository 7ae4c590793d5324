// Mocha's "dot" reporter plus one closing line in the plain form CI reads for any language:
// "N passed, N failed" (", N skipped" when some were pending).
'use strict';
const Mocha = require('mocha');
const { Dot } = Mocha.reporters;
const { EVENT_RUN_END } = Mocha.Runner.constants;

class CnmlabReporter extends Dot {
  constructor(runner, options) {
    super(runner, options);
    runner.once(EVENT_RUN_END, () => {
      const s = this.stats;
      const skipped = s.pending ? `, ${s.pending} skipped` : '';
      process.stdout.write(`\n${s.passes} passed, ${s.failures} failed${skipped}\n`);
    });
  }
}
module.exports = CnmlabReporter;
