// The cnmlab command line: argv, files, the wall clock and exit codes.
export { main, EXIT, RUN_DEFAULTS, type CliIo, type CliOptions } from './main';
export { FileSink } from './file-sink';
export { ProgressLine, PROGRESS_DEFAULTS } from './progress-line';
