/**
 * Loads a scenario file's text into the validated model (scenario-types.ts). Reading the file is
 * the CLI's job (only src/cli touches the file system); this takes the text and the name to put
 * in error positions.
 *
 * Errors: the first problem found stops loading with one ScenarioError (`file:line:col: message`).
 * One precise error is easier to act on than a cascade, and after a structural mistake the rest
 * of the file is often misread anyway. The order is: YAML syntax (as the yaml package reports it,
 * first error first), then the top level's keys, then the sections in the order name,
 * description, seed, start, engine, links, lans, routers, hosts, images, steps (so references
 * are checked against sections already read, whatever order the file writes them in).
 */
import { isScalar, LineCounter, parseDocument, visit } from 'yaml';
import { SCENARIO_DEFAULTS } from './scenario-defaults';
import { ENGINE_PROFILES, type EngineProfile, type Scenario, type Step } from './scenario-types';
import { formatIsoUtc, parseIsoUtc } from './iso-time';
import { StepsLoader } from './load-steps';
import { NAME_PATTERN, TopologyLoader } from './load-topology';
import { YamlReader, type Entry } from './yaml-reader';

export const TOP_LEVEL_KEYS = ['name', 'description', 'seed', 'start', 'engine', 'links', 'lans', 'routers', 'hosts', 'images', 'steps'] as const;
type TopKey = (typeof TOP_LEVEL_KEYS)[number];

/**
 * The latest `start` a classic pcap file can hold: its record header stores seconds as an
 * unsigned 32-bit number (2106-02-07T06:28:15Z).
 */
const LATEST_START_NS = BigInt(0xffff_ffff) * 1_000_000_000n;

/** "dir/my-scenario.yaml" → "my-scenario". */
export function scenarioNameFromFile(file: string): string {
  const base = file.slice(Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\')) + 1);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(0, dot) : base;
}

/** Parses and validates a scenario. Throws ScenarioError on the first problem. */
export function loadScenarioText(text: string, file: string): Scenario {
  const lines = new LineCounter();
  // YAML 1.2 core schema: `on`, `yes`, `no` are strings and timestamps stay strings; keys unique.
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true, version: '1.2' });
  const r: YamlReader = new YamlReader(file, text, lines, doc);
  const problem = doc.errors[0] ?? doc.warnings[0];
  if (problem) {
    const [start, end] = problem.pos;
    if (problem.code === 'DUPLICATE_KEY') {
      // The error's range covers only the key's first character; the key node has the whole key.
      let key = text.slice(start, end);
      visit(doc, { Pair(_, pair) { if (isScalar(pair.key) && pair.key.range?.[0] === start) key = String(pair.key.value); } });
      r.fail(r.at(start), `duplicate key "${key}": a key may appear only once in a map`);
    }
    r.fail(r.at(start), `YAML syntax error: ${problem.message}`);
  }
  const top = r.map(doc.contents, r.at(0), 'top level', `a map with keys ${TOP_LEVEL_KEYS.join(', ')}`, true);
  if (top === null) r.fail(r.at(0), `the file is empty, expected a map with keys ${TOP_LEVEL_KEYS.join(', ')}`);
  const entries = new Map<TopKey, Entry>();
  for (const e of r.entries(top, '', TOP_LEVEL_KEYS)) entries.set(e.key as TopKey, e);
  const get = (k: TopKey): Entry | undefined => entries.get(k);

  let name = scenarioNameFromFile(file);
  const nameEntry = get('name');
  if (nameEntry) {
    name = r.string(nameEntry.value, nameEntry.pos, 'name', 'a scenario name');
    if (!NAME_PATTERN.test(name)) {
      r.fail(nameEntry.pos, `name: found "${name}", expected a letter or digit followed by letters, digits, "_", "." or "-" (it names the capture folder)`);
    }
  }
  const descriptionEntry = get('description');
  // Trailing blanks are dropped: a folded block (`description: >`) ends with a line break that
  // would otherwise end up in the transcript's first line.
  const description = descriptionEntry ? r.string(descriptionEntry.value, descriptionEntry.pos, 'description', 'a line of text').trimEnd() : undefined;

  const seedEntry = get('seed');
  const seed = seedEntry
    ? r.integer(seedEntry.value, seedEntry.pos, 'seed', 0, Number.MAX_SAFE_INTEGER, `an integer from 0 to ${Number.MAX_SAFE_INTEGER}`)
    : SCENARIO_DEFAULTS.seed;

  let start = SCENARIO_DEFAULTS.start as bigint;
  const startEntry = get('start');
  if (startEntry) {
    const t = r.text(startEntry.value, startEntry.pos, 'start', 'an ISO 8601 UTC time such as 2020-04-26T19:37:50Z');
    start = r.parse(startEntry.pos, 'start', () => parseIsoUtc(t));
    if (start < 0n || start > LATEST_START_NS) {
      r.fail(startEntry.pos, `start: found "${t}", expected a time from 1970-01-01T00:00:00Z to ${formatIsoUtc(LATEST_START_NS).replace('.000000000', '')} (pcap stores seconds as an unsigned 32-bit number)`);
    }
  }

  let engine: EngineProfile = SCENARIO_DEFAULTS.engine;
  const engineEntry = get('engine');
  if (engineEntry) {
    // YAML reads an unquoted 19.03 as a number; the text as written is what counts.
    const written = r.text(engineEntry.value, engineEntry.pos, 'engine', `one of ${ENGINE_PROFILES.map((p) => `"${p}"`).join(', ')}`);
    const profile = ENGINE_PROFILES.find((p) => p === written);
    if (!profile) r.fail(engineEntry.pos, `engine: found "${written}", expected one of ${ENGINE_PROFILES.map((p) => `"${p}"`).join(', ')} (see DESIGN.md "Engine profiles")`);
    engine = profile;
  }

  const topology = new TopologyLoader(r);
  const sections: readonly [TopKey, (e: Entry) => void][] = [
    ['links', (e) => topology.loadLinks(e)],
    ['lans', (e) => topology.loadLans(e)],
    ['routers', (e) => topology.loadRouters(e)],
    ['hosts', (e) => topology.loadHosts(e)],
    ['images', (e) => topology.loadImages(e)],
  ];
  for (const [key, load] of sections) {
    const e = get(key);
    if (e) load(e);
  }
  const { links, lans, routers, hosts, images } = topology.topology;

  let steps: Step[] = [];
  const stepsEntry = get('steps');
  if (stepsEntry) {
    steps = new StepsLoader(r, { hosts: [...hosts.keys()], routers: [...routers.keys()] }).load(stepsEntry);
  }

  const scenario: Scenario = { name, seed, start, engine, links, lans, routers, hosts, images, steps, file };
  return description === undefined ? scenario : { ...scenario, description };
}
