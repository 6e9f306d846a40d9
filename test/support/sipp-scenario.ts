// Reads the parameters a scenario in test/sipp declares and turns test values into SIPp -key args.
// Each scenario lists its keys in comments of the form
//   <!-- @key name : description -->            (required)
//   <!-- @key name=default : description -->    (optional, with a default)
// and uses them as [name] in its messages. SIPp itself refuses to load a scenario that uses a key
// nobody set ("Unsupported keyword"), so the harness fills in defaults and checks the rest first.
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';

/** The folder holding the scenario files. */
export const SIPP_SCENARIO_DIR = resolve(import.meta.dirname, '../sipp');

/** One declared scenario parameter. */
export interface ScenarioKey {
  readonly name: string;
  /** Undefined when the key is required. */
  readonly defaultValue: string | undefined;
  readonly description: string;
}

/** Thrown when the values given do not fit what the scenario declares. */
export class ScenarioKeyError extends Error {
  readonly code = 'sipp_scenario_keys';
  constructor(message: string) {
    super(message);
    this.name = 'ScenarioKeyError';
  }
}

const KEY_COMMENT = /<!--\s*@key\s+([A-Za-z_][A-Za-z0-9_]*)(?:=([^\s:]*))?\s*:\s*(.*?)\s*-->/g;

/** The absolute path of a scenario: a bare file name is looked up in test/sipp. */
export function scenarioPath(scenario: string): string {
  return isAbsolute(scenario) ? scenario : resolve(SIPP_SCENARIO_DIR, scenario);
}

/** Parses the @key declarations of scenario XML text. */
export function parseScenarioKeys(xml: string): ScenarioKey[] {
  return [...xml.matchAll(KEY_COMMENT)].map((m) => ({
    name: m[1] ?? '',
    defaultValue: m[2],
    description: m[3] ?? '',
  }));
}

/** The @key declarations of a scenario file (name in test/sipp or absolute path). */
export function readScenarioKeys(scenario: string): ScenarioKey[] {
  return parseScenarioKeys(readFileSync(scenarioPath(scenario), 'utf8'));
}

/**
 * Merges `vars` over the declared defaults. Throws ScenarioKeyError for a required key left out or
 * for a var the scenario does not declare (most likely a typo).
 */
export function resolveScenarioKeys(
  keys: readonly ScenarioKey[],
  vars: Readonly<Record<string, string | number>>,
  scenarioName = 'scenario',
): Record<string, string> {
  const declared = new Map(keys.map((k) => [k.name, k]));
  const unknown = Object.keys(vars).filter((name) => !declared.has(name));
  if (unknown.length > 0) {
    const known = keys.map((k) => k.name).join(', ') || 'none';
    throw new ScenarioKeyError(`${scenarioName}: unknown key(s) ${unknown.join(', ')} (declared: ${known})`);
  }
  const out: Record<string, string> = {};
  const missing: string[] = [];
  for (const key of keys) {
    const given = vars[key.name];
    if (given !== undefined) out[key.name] = String(given);
    else if (key.defaultValue !== undefined) out[key.name] = key.defaultValue;
    else missing.push(`${key.name} (${key.description})`);
  }
  if (missing.length > 0) throw new ScenarioKeyError(`${scenarioName}: missing key(s) ${missing.join('; ')}`);
  return out;
}

/** `-key name value` arguments for SIPp. */
export function keyArgs(values: Readonly<Record<string, string>>): string[] {
  return Object.entries(values).flatMap(([name, value]) => ['-key', name, value]);
}
