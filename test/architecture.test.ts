// Enforces the layer table of docs/architecture.md: a module imports only from lower layers (or
// its own folder), crosses into another folder only through that folder's index.ts, and no file
// takes part in an import cycle.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const SRC = resolve(import.meta.dirname, '../src');

/** Folder (first path segment under src) → layer. Files directly in src are the composition root. */
export const LAYERS: Record<string, number> = {
  lib: 0,
  config: 0.5, // reads lib only
  sip: 1,
  media: 1,
  store: 1,
  bus: 1,
  documents: 2, // KAZOO's document model: account tree, kinds, tokens, object events
  registrar: 3,
  calls: 3,
  konami: 4,
  clicktocall: 4,
  api: 5,
  blackhole: 5,
};
const ROOT_LAYER = 6;
/** Folders the API and WebSocket layers must never touch directly. */
const FORBIDDEN: Record<string, readonly string[]> = { api: ['sip', 'media'], blackhole: ['sip', 'media'] };

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+'([^']+)'/g)].map((m) => m[1] ?? '');
  specs.push(...[...text.matchAll(/import\(\s*'([^']+)'\s*\)/g)].map((m) => m[1] ?? ''));
  return specs.filter((s) => s.startsWith('.')).map((s) => resolve(dirname(file), s));
}

function folderOf(file: string): string {
  const rel = relative(SRC, file);
  return rel.includes('/') ? (rel.split('/')[0] ?? '') : '';
}

function layerOf(folder: string): number {
  if (folder === '') return ROOT_LAYER;
  const layer = LAYERS[folder];
  if (layer === undefined) throw new Error(`folder src/${folder} is not in the layer table`);
  return layer;
}

const files = sourceFiles(SRC);
const graph = new Map(files.map((f) => [f, importsOf(f)]));

test('every source folder has a layer', () => {
  for (const f of files) layerOf(folderOf(f));
});

test('modules import only from lower layers, through index.ts', () => {
  const problems: string[] = [];
  for (const [file, deps] of graph) {
    const from = folderOf(file);
    for (const dep of deps) {
      const to = folderOf(dep);
      if (to === from) continue;
      const where = `${relative(SRC, file)} → ${relative(SRC, dep)}`;
      if (layerOf(to) >= layerOf(from)) problems.push(`${where}: layer ${layerOf(from)} may not import layer ${layerOf(to)}`);
      if (to !== '' && relative(join(SRC, to), dep) !== 'index.ts') problems.push(`${where}: import src/${to} through its index.ts`);
      if (FORBIDDEN[from]?.includes(to)) problems.push(`${where}: ${from} never imports ${to}`);
    }
  }
  assert.deepEqual(problems, []);
});

test('no import cycles', () => {
  const state = new Map<string, 'visiting' | 'done'>();
  const cycles: string[] = [];
  const visit = (file: string, stack: string[]): void => {
    if (state.get(file) === 'done') return;
    if (state.get(file) === 'visiting') {
      cycles.push([...stack.slice(stack.indexOf(file)), file].map((f) => relative(SRC, f)).join(' → '));
      return;
    }
    state.set(file, 'visiting');
    for (const dep of graph.get(file) ?? []) if (graph.has(dep)) visit(dep, [...stack, file]);
    state.set(file, 'done');
  };
  for (const f of graph.keys()) visit(f, []);
  assert.deepEqual(cycles, []);
});
