// Command lines of steps split like a POSIX shell splits words (SCENARIOS.md "Commands a step can run").
import { expect } from 'chai';
import { CommandSyntaxError, splitCommand } from '../src/scenario';

const NONE = new Map<string, string>();
const VARS = new Map([['ID', '3225b6d14177'], ['TWO', 'a  b'], ['EMPTY', ''], ['PAD', ' x ']]);
const split = (line: string, vars: ReadonlyMap<string, string> = VARS): string[] => splitCommand(line, vars);

/** The error a line gives: its message and the offset it points at. */
function failure(line: string, vars: ReadonlyMap<string, string> = VARS): { message: string; offset: number } {
  try {
    splitCommand(line, vars);
  } catch (e) {
    if (e instanceof CommandSyntaxError) return { message: e.message, offset: e.offset };
    throw e;
  }
  throw new Error(`no error for ${line}`);
}

describe('shell words: splitting', () => {
  it('splits on blanks, however many', () => {
    expect(split('docker network create  -d bridge\tdemo ')).to.deep.equal(['docker', 'network', 'create', '-d', 'bridge', 'demo']);
    expect(split('   ')).to.deep.equal([]);
    expect(split('')).to.deep.equal([]);
  });

  it('keeps single-quoted text literally', () => {
    expect(split(`echo 'a  "b" $ID \\n'`)).to.deep.equal(['echo', 'a  "b" $ID \\n']);
    expect(split(`echo ''`)).to.deep.equal(['echo', '']);
  });

  it('expands and unescapes inside double quotes, only \\ $ ` " and newline', () => {
    expect(split(`echo "a  b" "say \\"hi\\"" "\\$ID=$ID" "c:\\d"`)).to.deep.equal(['echo', 'a  b', 'say "hi"', '$ID=3225b6d14177', 'c:\\d']);
    expect(split(`echo "" "\\\\"`)).to.deep.equal(['echo', '', '\\']);
  });

  it('joins adjacent quoted and unquoted parts into one word', () => {
    expect(split(`--format='{{.Name}}'"-"x`)).to.deep.equal(['--format={{.Name}}-x']);
    expect(split(`a"b"'c'd`)).to.deep.equal(['abcd']);
  });

  it('escapes one character with a backslash outside quotes, and joins continued lines', () => {
    expect(split(`echo a\\ b \\'c\\' \\$ID`)).to.deep.equal(['echo', 'a b', "'c'", '$ID']);
    expect(split('ping -c 1 \\\n  10.0.0.2')).to.deep.equal(['ping', '-c', '1', '10.0.0.2']);
  });

  it('expands $VAR and ${VAR}, and field-splits unquoted expansions as sh does', () => {
    expect(split('docker network rm ${ID}')).to.deep.equal(['docker', 'network', 'rm', '3225b6d14177']);
    expect(split('x-$ID-y ${ID}z')).to.deep.equal(['x-3225b6d14177-y', '3225b6d14177z']);
    expect(split('echo $TWO')).to.deep.equal(['echo', 'a', 'b']);
    expect(split('echo "$TWO"')).to.deep.equal(['echo', 'a  b']);
    expect(split('echo $EMPTY end')).to.deep.equal(['echo', 'end']);
    expect(split('echo "$EMPTY" end')).to.deep.equal(['echo', '', 'end']);
    expect(split('echo a${PAD}b')).to.deep.equal(['echo', 'a', 'x', 'b']);
  });

  it('keeps a $ that starts no expansion, and globbing characters, literally', () => {
    expect(split('echo $ "$" a$ *.txt ? [ab] ~')).to.deep.equal(['echo', '$', '$', 'a$', '*.txt', '?', '[ab]', '~']);
  });

  it('treats # as a comment only at the start of a word', () => {
    expect(split('ping -c 1 host # the first ping')).to.deep.equal(['ping', '-c', '1', 'host']);
    expect(split('echo a#b "#c" \\#d')).to.deep.equal(['echo', 'a#b', '#c', '#d']);
    expect(split('# nothing')).to.deep.equal([]);
  });

  it('accepts a trailing line break (a YAML literal block ends with one)', () => {
    expect(split('ip addr\n')).to.deep.equal(['ip', 'addr']);
  });
});

describe('shell words: errors', () => {
  it('names an unknown variable instead of expanding it to nothing', () => {
    expect(failure('docker network rm ${NETID}')).to.deep.equal({ message: 'unknown variable ${NETID} (defined: EMPTY, ID, PAD, TWO)', offset: 18 });
    expect(failure('echo "$NOPE"', NONE)).to.deep.equal({ message: 'unknown variable ${NOPE} (no variables are defined)', offset: 6 });
  });

  it('refuses command substitution in every form', () => {
    expect(failure('ping $(hostname)').message).to.contain('command substitution $( ) is not supported');
    expect(failure('ping $((1+1))').offset).to.equal(5);
    expect(failure('ping `hostname`')).to.deep.include({ offset: 5 });
    expect(failure('echo "`id`"').message).to.contain('backticks');
    expect(split("echo '$(x) `y`'")).to.deep.equal(['echo', '$(x) `y`']);
  });

  it('refuses parameter forms it does not implement', () => {
    expect(failure('echo ${ID:-x}').message).to.contain('only plain variable expansion');
    expect(failure('echo $?').message).to.contain('special parameter $?');
    expect(failure('echo $1').offset).to.equal(5);
    expect(failure('echo ${ID').message).to.contain('unterminated ${');
  });

  it('reports unterminated quotes at the opening quote', () => {
    expect(failure(`echo 'abc`)).to.deep.equal({ message: "unterminated single quote: expected a closing '", offset: 5 });
    expect(failure('echo x "abc')).to.deep.equal({ message: 'unterminated double quote: expected a closing "', offset: 7 });
    expect(failure('echo "a\\"')).to.deep.include({ offset: 5 });
  });

  it('refuses a trailing backslash, shell operators and a second command', () => {
    expect(failure('echo a\\').message).to.contain('ends with a backslash');
    for (const op of ['|', '&', ';', '>', '<', '(', ')']) {
      expect(failure(`ip addr ${op} x`), op).to.deep.include({ offset: 8 });
    }
    expect(split(`echo '|' "a > b" \\;`)).to.deep.equal(['echo', '|', 'a > b', ';']);
    expect(failure('ip addr\nip route')).to.deep.include({ offset: 7 });
  });
});
