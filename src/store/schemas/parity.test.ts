// Field parity with KAZOO's own schemas: every property path of KAZOO's schema (following
// properties, patternProperties, items, additionalProperties, oneOf/anyOf and $refs between files)
// must exist in ours with the same type, enum, default, required-ness and limits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { getSchema, hasSchema, schemaNames } from './index.ts';

/** `shared/` sits beside the repository root (in CI and on the dev machine). */
const KAZOO_DIR = resolve(import.meta.dirname, '../../..', '../shared/kazoo-schemas');
const present = existsSync(KAZOO_DIR);
const skip = present ? false : `KAZOO reference schemas not found at ${KAZOO_DIR}; parity not checked`;

/**
 * Deliberate deviations, keyed `<schema>|<path>|<attribute>`. Each needs a reason; the last test
 * fails if an entry is no longer needed.
 */
const ALLOWED: ReadonlyMap<string, string> = new Map([
  [
    'formatters||patternProperties:^[[:alnum:]_]+$',
    'KAZOO uses the POSIX class [[:alnum:]_]; JavaScript regular expressions have none, so ours is ^[A-Za-z0-9_]+$ (same set).',
  ],
]);
/** Pattern keys we spell differently on purpose (see ALLOWED). */
const PATTERN_TRANSLATIONS: ReadonlyMap<string, string> = new Map([['^[[:alnum:]_]+$', '^[A-Za-z0-9_]+$']]);

const COMPARED = ['type', 'enum', 'default', 'minLength', 'maxLength', 'pattern', 'format', 'minimum', 'maximum', 'minItems', 'maxItems', 'uniqueItems'] as const;

type Node = Record<string, unknown>;
/** Where a node is: its path from the top schema, and the KAZOO file and path it is defined in. */
interface Where {
  readonly path: string;
  readonly owner: string;
  readonly local: string;
}
type Loader = (id: string) => Node | undefined;

function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function loadKazoo(id: string): Node | undefined {
  const file = join(KAZOO_DIR, `${id}.json`);
  if (!existsSync(file)) return undefined;
  const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
  return isNode(parsed) ? parsed : undefined;
}

function loadOurs(id: string): Node | undefined {
  return hasSchema(id) ? (getSchema(id) as Node) : undefined;
}

/** The node with its `$ref` target merged underneath (local keys win), plus the ref followed. */
function effective(node: Node, load: Loader): { node: Node; ref?: string } {
  const refId = node['$ref'];
  if (typeof refId !== 'string') return { node };
  const target = load(refId);
  if (target === undefined) return { node, ref: refId };
  const { $ref: _ignored, ...local } = node;
  return { node: { ...effective(target, load).node, ...local }, ref: refId };
}

function typeSet(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  return (Array.isArray(value) ? [...value].map(String).sort() : [String(value)]).join(',');
}

/** Required names of an object node: the draft-04 array plus draft-03 `required: true` on members. */
function requiredSet(node: Node): string[] {
  const names = new Set<string>(Array.isArray(node['required']) ? node['required'].map(String) : []);
  const properties = node['properties'];
  if (isNode(properties)) for (const [name, member] of Object.entries(properties)) if (isNode(member) && member['required'] === true) names.add(name);
  return [...names].sort();
}

class Walk {
  readonly problems: string[] = [];
  readonly used = new Set<string>();
  /** Nodes compared so far (a guard against a walk that silently stops early). */
  nodes = 0;
  private readonly followed = new Set<string>();
  private readonly schema: string;

  constructor(schema: string) {
    this.schema = schema;
  }

  private allowed(at: Where, attribute: string): boolean {
    const key = `${at.owner}|${at.local}|${attribute}`;
    if (!ALLOWED.has(key)) return false;
    this.used.add(key);
    return true;
  }

  private problem(at: Where, attribute: string, message: string): void {
    if (!this.allowed(at, attribute)) this.problems.push(`${this.schema}: ${at.path || '(root)'}: ${message}`);
  }

  compare(kazooRaw: Node, oursRaw: Node, from: Where): void {
    this.nodes += 1;
    const kazoo = effective(kazooRaw, loadKazoo);
    const ours = effective(oursRaw, loadOurs);
    const at: Where = kazoo.ref === undefined ? from : { path: from.path, owner: kazoo.ref, local: '' };
    const path = at.path;
    const k = kazoo.node;
    const o = ours.node;
    for (const attribute of COMPARED) {
      const kv = attribute === 'type' ? typeSet(k[attribute]) : k[attribute];
      const ov = attribute === 'type' ? typeSet(o[attribute]) : o[attribute];
      try {
        assert.deepEqual(ov, kv);
      } catch {
        this.problem(at, attribute, `${attribute} is ${JSON.stringify(ov)}, KAZOO has ${JSON.stringify(kv)}`);
      }
    }
    if ((k['additionalProperties'] === false) !== (o['additionalProperties'] === false)) {
      this.problem(at, 'additionalProperties', `additionalProperties:false differs (KAZOO ${String(k['additionalProperties'] === false)})`);
    }
    const kr = requiredSet(k);
    const or = requiredSet(o);
    if (kr.join() !== or.join()) this.problem(at, 'required', `required is [${or.join()}], KAZOO has [${kr.join()}]`);

    // Follow each pair of $ref targets once: the target's content is the same wherever it is used.
    const refKey = `${kazoo.ref ?? path}→${ours.ref ?? path}`;
    if (kazoo.ref !== undefined) {
      if (this.followed.has(refKey)) return;
      this.followed.add(refKey);
    }
    this.children(k, o, at);
  }

  private children(k: Node, o: Node, at: Where): void {
    const join = (key: string): Where => ({
      path: at.path === '' ? key : `${at.path}.${key}`,
      owner: at.owner,
      local: at.local === '' ? key : `${at.local}.${key}`,
    });
    const kProps = isNode(k['properties']) ? k['properties'] : {};
    const oProps = isNode(o['properties']) ? o['properties'] : {};
    for (const [name, member] of Object.entries(kProps)) {
      const mine = oProps[name];
      if (!isNode(mine)) this.problem(join(name), 'property', 'property missing');
      else if (isNode(member)) this.compare(member, mine, join(name));
    }
    const kPatterns = isNode(k['patternProperties']) ? k['patternProperties'] : {};
    const oPatterns = isNode(o['patternProperties']) ? o['patternProperties'] : {};
    for (const [pattern, member] of Object.entries(kPatterns)) {
      const ourPattern = PATTERN_TRANSLATIONS.get(pattern) ?? pattern;
      if (ourPattern !== pattern && !this.allowed(at, `patternProperties:${pattern}`)) this.problems.push(`${this.schema}: pattern ${pattern} translated without an allow-list entry`);
      const mine = oPatterns[ourPattern];
      if (!isNode(mine)) this.problem(at, `patternProperties:${pattern}`, `patternProperties ${pattern} missing`);
      else if (isNode(member)) this.compare(member, mine, join(`/${ourPattern}/`));
    }
    for (const key of ['items', 'additionalProperties'] as const) {
      const member = k[key];
      if (!isNode(member)) continue;
      const mine = o[key];
      if (!isNode(mine)) this.problem(join(key), key, `${key} schema missing`);
      else this.compare(member, mine, join(`[${key}]`));
    }
    for (const key of ['oneOf', 'anyOf'] as const) {
      const branches = k[key];
      if (!Array.isArray(branches)) continue;
      const mine = o[key];
      if (!Array.isArray(mine) || mine.length !== branches.length) {
        this.problem(at, key, `${key} has ${Array.isArray(mine) ? mine.length : 0} branches, KAZOO has ${branches.length}`);
        continue;
      }
      branches.forEach((branch: unknown, i) => {
        const ourBranch: unknown = mine[i];
        if (isNode(branch) && isNode(ourBranch)) this.compare(branch, ourBranch, join(`${key}[${i}]`));
      });
    }
  }
}

const counterparts = present ? schemaNames().filter((name) => existsSync(join(KAZOO_DIR, `${name}.json`))) : [];
const usedAllowances = new Set<string>();

test('every schema of ours has a KAZOO counterpart to compare with', { skip }, () => {
  assert.deepEqual(schemaNames().filter((name) => !counterparts.includes(name)), []);
});

for (const name of counterparts) {
  test(`schema ${name} has KAZOO's fields, types, enums, defaults, required lists and limits`, { skip }, () => {
    const kazoo = loadKazoo(name);
    assert.ok(kazoo, `cannot read ${name}.json`);
    const walk = new Walk(name);
    walk.compare(kazoo, getSchema(name) as Node, { path: '', owner: name, local: '' });
    assert.ok(walk.nodes >= Object.keys(isNode(kazoo['properties']) ? kazoo['properties'] : {}).length, 'the walk visited every top-level property');
    for (const key of walk.used) usedAllowances.add(key);
    assert.deepEqual(walk.problems, []);
  });
}

test('every allow-listed deviation is still needed', { skip }, () => {
  assert.deepEqual([...ALLOWED.keys()].filter((key) => !usedAllowances.has(key)), []);
});
