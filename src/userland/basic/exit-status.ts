/** busybox `true` and `false`: nothing but an exit status (they ignore their arguments). */
import type { Program } from '../program';

export const trueProgram: Program = (_argv, _env, _io, exit) => {
  exit(0);
};

export const falseProgram: Program = (_argv, _env, _io, exit) => {
  exit(1);
};
