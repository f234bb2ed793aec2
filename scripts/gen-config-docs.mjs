#!/usr/bin/env node
/**
 * @module Writes docs/CONFIGURATION.md, the campaign-file reference, from the schema itself: the
 * built `campaignSchema()` (dist/src/campaign-file.js, assembled from the plug-in registries) gives
 * every field, its type and its default; the doc comment above each field in the sources (read with
 * the TypeScript parser, since JSDoc is gone at run time) gives its meaning. So the reference cannot
 * drift from the code: `npm run docs` rewrites it, and tests/unit/docs/configuration-doc.test.ts
 * fails when the committed file differs from what this script writes.
 *
 * Usage: `node scripts/gen-config-docs.mjs` (writes the file), `--check` (exit 1 when it differs),
 * `--stdout` (prints it), `--root DIR` (read the sources and the build of another checkout, e.g. an
 * export of HEAD; the output is still this checkout's docs/CONFIGURATION.md).
 * Needs `npm run build` first (it reads dist/).
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';

const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUTPUT = path.join(packageRoot, 'docs', 'CONFIGURATION.md');

// ---------------------------------------------------------------------------------------------
// Doc comments from the sources: every object literal passed to `z.object(...)` (and every
// `const X = { … }` of fields spread into one), with each property's leading JSDoc.
// ---------------------------------------------------------------------------------------------

/** Every .ts file under src/ that imports zod. */
function schemaSourceFiles(root) {
  const files = [];
  const walk = (directory) => {
    for (const entry of readdirSync(directory, { withFileTypes: true })) {
      const full = path.join(directory, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) {
        const text = readFileSync(full, 'utf8');
        if (/from 'zod'/.test(text)) files.push({ file: path.relative(root, full).split(path.sep).join('/'), text });
      }
    }
  };
  walk(path.join(root, 'src'));
  return files.sort((a, b) => a.file.localeCompare(b.file));
}

/** The text of a node's leading JSDoc comments, joined, on one line; undefined without one. */
function jsDocText(node) {
  const docs = (node.jsDoc ?? []).filter((doc) => doc.comment !== undefined);
  if (docs.length === 0) return undefined;
  const text = docs.map((doc) => ts.getTextOfJSDocComment(doc.comment) ?? '').join(' ');
  return text.replace(/\s+/g, ' ').trim() || undefined;
}

/** A property's name as written (identifier or string literal). */
function propertyName(name) {
  if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name)) return name.text;
  return undefined;
}

/**
 * Reads the sources. Returns the field literals: `{ where, keys: Map<key, doc|undefined>, open }`
 * (`open`: a spread the parser could not resolve, so the runtime object may have more keys).
 */
function readFieldLiterals(files) {
  const constants = new Map(); // name → ObjectLiteralExpression
  const schemaLiterals = []; // { where, node }
  for (const { file, text } of files) {
    const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
    const visit = (node) => {
      if (
        ts.isVariableDeclaration(node) &&
        ts.isIdentifier(node.name) &&
        node.initializer &&
        ts.isObjectLiteralExpression(node.initializer)
      ) {
        constants.set(node.name.text, node.initializer);
      }
      if (
        ts.isCallExpression(node) &&
        ts.isPropertyAccessExpression(node.expression) &&
        node.expression.name.text === 'object' &&
        node.arguments.length >= 1 &&
        ts.isObjectLiteralExpression(node.arguments[0])
      ) {
        const line = source.getLineAndCharacterOfPosition(node.getStart()).line + 1;
        schemaLiterals.push({ where: `${file}:${line}`, node: node.arguments[0] });
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  const fieldsOf = (literal, seen = new Set()) => {
    const keys = new Map();
    let open = false;
    for (const property of literal.properties) {
      if (ts.isSpreadAssignment(property)) {
        const target = ts.isIdentifier(property.expression) ? constants.get(property.expression.text) : undefined;
        // A spread of a const filled at run time (`const options = {}` then assigned) stays open.
        if (target && target.properties.length > 0 && !seen.has(target)) {
          const inner = fieldsOf(target, new Set([...seen, target]));
          for (const [key, doc] of inner.keys) keys.set(key, doc);
          open ||= inner.open;
        } else open = true;
        continue;
      }
      if (!ts.isPropertyAssignment(property) && !ts.isShorthandPropertyAssignment(property)) continue;
      const key = propertyName(property.name);
      if (key === undefined) {
        open = true;
        continue;
      }
      let doc = jsDocText(property);
      // `temperature: llmMutationFields.temperature` takes the doc of the field it reuses.
      if (
        doc === undefined &&
        ts.isPropertyAssignment(property) &&
        ts.isPropertyAccessExpression(property.initializer) &&
        ts.isIdentifier(property.initializer.expression)
      ) {
        const target = constants.get(property.initializer.expression.text);
        if (target) doc = fieldsOf(target).keys.get(property.initializer.name.text);
      }
      keys.set(key, doc);
    }
    return { keys, open };
  };
  return schemaLiterals.map(({ where, node }) => ({ where, ...fieldsOf(node) }));
}

/**
 * The doc comments of a runtime object's fields: the source literal with exactly its keys (or a
 * subset, when the literal spreads something unresolved). Two literals with the same keys and
 * different comments are an error: say which, so the generator is fixed rather than guessing.
 */
function docsFor(literals, keys, label) {
  const wanted = new Set(keys);
  const candidates = literals.filter(
    (literal) =>
      literal.keys.size > 0 &&
      [...literal.keys.keys()].every((key) => wanted.has(key)) &&
      (literal.keys.size === wanted.size || literal.open),
  );
  if (candidates.length === 0) return new Map();
  const largest = Math.max(...candidates.map((literal) => literal.keys.size));
  const best = candidates.filter((literal) => literal.keys.size === largest);
  // Literals with these keys and no comments (generic shapes) do not compete with documented ones.
  const merged = new Map();
  for (const key of best[0].keys.keys()) {
    const docs = new Set(best.map((literal) => literal.keys.get(key)).filter((doc) => doc !== undefined));
    if (docs.size > 1) {
      throw new Error(
        `${label}: the field "${key}" matches several schema objects with different comments ` +
          `(${best.map((literal) => literal.where).join(', ')}); make the objects' keys distinct or teach ` +
          'scripts/gen-config-docs.mjs which one to read.',
      );
    }
    merged.set(key, [...docs][0]);
  }
  return merged;
}

// ---------------------------------------------------------------------------------------------
// The runtime schema: types and defaults.
// ---------------------------------------------------------------------------------------------

const definitionOf = (schema) => schema._zod.def;

/** Peels default / prefault / optional / nullable / readonly / catch / pipe-in wrappers. */
function unwrap(schema) {
  let current = schema;
  let optional = false;
  let nullable = false;
  let hasDefault = false;
  for (;;) {
    const definition = definitionOf(current);
    if (definition.type === 'default' || definition.type === 'prefault') hasDefault = true;
    else if (definition.type === 'optional') optional = true;
    else if (definition.type === 'nullable') nullable = true;
    else if (definition.type === 'readonly' || definition.type === 'catch' || definition.type === 'nonoptional') {
      /* transparent */
    } else if (definition.type === 'pipe') {
      current = definition.in;
      continue;
    } else break;
    current = definition.innerType;
  }
  return { core: current, optional, nullable, hasDefault };
}

/** `12`, `1e-8`, `86400`: numbers as a person would write them in YAML. */
const formatNumber = (value) => String(value);

/** A number's constraints, e.g. `integer, 1..100` or `number > 0, ≤ 3600`. */
function numberType(schema) {
  const definition = definitionOf(schema);
  let integer = false;
  let low;
  let high;
  for (const check of definition.checks ?? []) {
    const checkDefinition = check._zod.def;
    if (checkDefinition.check === 'number_format' && /int/.test(checkDefinition.format)) integer = true;
    else if (checkDefinition.check === 'greater_than')
      low = { value: checkDefinition.value, inclusive: checkDefinition.inclusive };
    else if (checkDefinition.check === 'less_than')
      high = { value: checkDefinition.value, inclusive: checkDefinition.inclusive };
  }
  const name = integer ? 'integer' : 'number';
  if (low?.inclusive && high?.inclusive) return `${name}, ${formatNumber(low.value)}..${formatNumber(high.value)}`;
  const parts = [];
  if (low) parts.push(`${low.inclusive ? '≥' : '>'} ${formatNumber(low.value)}`);
  if (high) parts.push(`${high.inclusive ? '≤' : '<'} ${formatNumber(high.value)}`);
  return parts.length > 0 ? `${name} ${parts.join(', ')}` : name;
}

/** A short type for a table cell. */
function typeOf(schema) {
  const { core, nullable } = unwrap(schema);
  const definition = definitionOf(core);
  let text;
  switch (definition.type) {
    case 'string':
      text = core.format === 'url' ? 'URL' : 'string';
      break;
    case 'number':
      text = numberType(core);
      break;
    case 'boolean':
      text = 'boolean';
      break;
    case 'enum':
      text = core.options.map((option) => `\`${option}\``).join(' \\| ');
      break;
    case 'literal':
      text = definition.values.map((value) => `\`${value}\``).join(' \\| ');
      break;
    case 'array': {
      const element = typeOf(definition.element);
      text = `list of ${/\s/.test(element) ? `(${element})` : element}`;
      break;
    }
    case 'tuple':
      text = `[${definition.items.map(typeOf).join(', ')}]`;
      break;
    case 'record':
      text = `map of ${typeOf(definition.keyType)} → ${typeOf(definition.valueType)}`;
      break;
    case 'union':
      text =
        definition.discriminator === undefined
          ? [...new Set(definition.options.map(typeOf))].join(' or ')
          : `object, by \`${definition.discriminator}\``;
      break;
    case 'object':
      text = 'object';
      break;
    default:
      text = definition.type;
  }
  if (!nullable) return text;
  return /[, ]/.test(text) && !/^`/.test(text) ? `(${text}) or \`null\`` : `${text} or \`null\``;
}

/** The default as YAML-ish text, `—` for none, `required` when the field must be given. */
function defaultOf(schema) {
  const { optional, nullable, hasDefault } = unwrap(schema);
  if (hasDefault) {
    const value = JSON.stringify(schema.parse(undefined));
    if (value.length > 60) return "each field's default";
    return `\`${value.replace(/\|/g, '\\|')}\``;
  }
  if (optional) return '—';
  if (nullable) return 'required (may be `null`)';
  return '**required**';
}

/** The object schema inside a field, if any (an object, or a list or union holding one). */
function nestedObjects(schema) {
  const { core } = unwrap(schema);
  const definition = definitionOf(core);
  if (definition.type === 'object') return [{ suffix: '', schema: core }];
  if (definition.type === 'array')
    return nestedObjects(definition.element).map((n) => ({ ...n, suffix: `[]${n.suffix}` }));
  if (definition.type === 'record')
    return nestedObjects(definition.valueType).map((n) => ({ ...n, suffix: `.<name>${n.suffix}` }));
  if (definition.type === 'union' && definition.discriminator === undefined) {
    return definition.options.flatMap(nestedObjects);
  }
  return [];
}

const cell = (text) => (text ?? '').replace(/\|/g, '\\|').replace(/\n/g, ' ');

/**
 * Table rows for an object's fields, nested objects flattened with dotted names (`limits.maxSteps`,
 * `problems[].fn`). `extraDoc(key)` supplies a description for fields without a doc comment.
 */
function rowsFor(literals, objectSchema, prefix, label, extraDoc = () => undefined) {
  const shape = definitionOf(objectSchema).shape;
  const keys = Object.keys(shape);
  const docs = docsFor(literals, keys, label);
  const rows = [];
  for (const key of keys) {
    const field = shape[key];
    const name = `${prefix}${key}`;
    // A doc comment in the source first; else a `.describe()` text the schema carries at run time.
    const doc =
      docs.get(key) ?? field.description ?? unwrap(field).core.description ?? extraDoc(key, name) ?? fieldNote(name);
    rows.push(`| \`${name}\` | ${typeOf(field)} | ${defaultOf(field)} | ${cell(doc ?? '')} |`);
    for (const nested of nestedObjects(field)) {
      rows.push(...rowsFor(literals, nested.schema, `${name}${nested.suffix}.`, `${label}.${key}`));
    }
  }
  return rows;
}

/** Words for the few fields that carry no doc comment of their own (their parent's comment covers them). */
function fieldNote(name) {
  const prompt = /\.prompts\.(\w+)$/.exec(name);
  if (prompt) return `Template file replacing the built-in \`${prompt[1]}\` prompt.`;
  if (/^prices\.<name>\.(input|output)$/.test(name))
    return `US dollars per million ${name.endsWith('input') ? 'prompt' : 'answer'} tokens.`;
  return undefined;
}

const capitalised = (text) => text.charAt(0).toUpperCase() + text.slice(1);

const TABLE_HEAD = ['| field | type | default | meaning |', '|---|---|---|---|'];

// ---------------------------------------------------------------------------------------------
// The document.
// ---------------------------------------------------------------------------------------------

/**
 * Renders docs/CONFIGURATION.md from the checkout at `root`: its sources (`src/`, for the doc
 * comments) and its build (`dist/`, for the schema).
 */
export async function renderConfigurationDoc(root = packageRoot) {
  const load = (relative) => import(pathToFileURL(path.join(root, relative)).href);
  const { campaignSchema } = await load('dist/src/campaign-file.js');
  const { taskKinds } = await load('dist/src/tasks/registry.js');
  const { mutatorKinds } = await load('dist/src/mutation/registry.js');
  const { selectorKinds } = await load('dist/src/selection/registry.js');
  const { sandboxKinds } = await load('dist/src/sandbox/registry.js');
  const { modelProviders } = await load('dist/src/model/registry.js');
  const literals = readFieldLiterals(schemaSourceFiles(root));
  const schema = campaignSchema();
  const shape = definitionOf(schema).shape;
  const topDocs = docsFor(literals, Object.keys(shape), 'campaign file');
  const out = [];
  const line = (...texts) => out.push(...(texts.length > 0 ? texts : ['']));

  line('# Campaign-file reference');
  line();
  line('<!-- Generated by scripts/gen-config-docs.mjs from the zod schema (src/campaign-file.ts and the');
  line('     plug-in registries) and the doc comments in the sources. Do not edit: change the schema or');
  line('     its comments, then `npm run build && npm run docs`. tests/unit/docs/configuration-doc.test.ts');
  line('     fails when this file differs from what the generator writes. -->');
  line();
  line('A campaign file is YAML or JSON. `${VAR}` in any string is replaced by the environment variable');
  line('(an unset variable is an error naming it). Paths are relative to the campaign file. Every section is');
  line('strict: an unknown or misspelt field is refused, and so is a wrong value, with the field, the value');
  line('found and what is allowed; `clade` then exits with code 2 before anything is created. Command-line');
  line('flags (`--iterations`, `--workers`, `--sandbox`, `--seed`, `--model`, `--selection`, `--mutator`,');
  line('`--data-dir`) override the file; see [CLI.md](CLI.md).');
  line();
  line('"required" fields have no default. Defaults are shown as JSON, as the schema fills them in.');
  line('The task, mutation and selection sections come from plug-in registries: a kind a library');
  line('registers from TypeScript (`taskKinds.register(…)` and so on) is part of the schema from then on.');
  line();
  line('## Top level');
  line();
  line(...TABLE_HEAD);
  const sectionAnchor = {
    task: '#task',
    mutation: '#mutation',
    selection: '#selection',
    evaluation: '#evaluation',
    budget: '#budget',
    sandbox: '#sandbox',
    executor: '#executor',
    agentModel: '#agentmodel',
    prices: '#prices',
  };
  for (const [key, field] of Object.entries(shape)) {
    const anchor = sectionAnchor[key];
    const meaning = cell(topDocs.get(key) ?? '') + (anchor ? ` See [${key}](${anchor}).` : '');
    line(`| \`${key}\` | ${typeOf(field)} | ${defaultOf(field)} | ${meaning.trim()} |`);
  }
  line();

  // task
  line('## task');
  line();
  line("`task.kind` picks the task kind; the other fields are that kind's. Guides: [TASKS.md](TASKS.md),");
  line('[PROGRAM.md](PROGRAM.md) (the `program` kind).');
  line();
  for (const kind of taskKinds.list()) {
    line(`### task.kind: ${kind.kind}`);
    line();
    line(`${capitalised(kind.summary)}.`);
    line();
    line(...TABLE_HEAD);
    line(
      ...rowsFor(literals, unwrap(kind.schema).core, 'task.', `task (${kind.kind})`, (key) =>
        key === 'kind' ? `\`${kind.kind}\`: this kind.` : undefined,
      ),
    );
    line();
  }

  // mutation
  line('## mutation');
  line();
  line("`mutation.operator` picks the mutator; the other fields are that operator's. Guide:");
  line('[MUTATORS.md](MUTATORS.md). Without a `mutation` section the campaign uses');
  line(`\`{ operator: ${mutatorKinds.names()[0]} }\`.`);
  line();
  for (const kind of mutatorKinds.list()) {
    line(`### mutation.operator: ${kind.kind}`);
    line();
    line(`${capitalised(kind.summary)}.`);
    line();
    line(...TABLE_HEAD);
    line(
      ...rowsFor(literals, unwrap(kind.schema).core, 'mutation.', `mutation (${kind.kind})`, (key) =>
        key === 'operator' ? `\`${kind.kind}\`: this operator.` : undefined,
      ),
    );
    line();
  }

  line('Model providers registered (the `provider` of `provider:model` in `mutation.models`,');
  line('`mutation.agentModel` and `agentModel.model`; guide: [PROVIDERS.md](PROVIDERS.md)):');
  line();
  line('| provider | what it is | environment variables |');
  line('|---|---|---|');
  for (const provider of modelProviders.list()) {
    const variables = (provider.variables ?? []).map((name) => `\`${name}\``).join(', ') || '—';
    line(`| \`${provider.kind}:\` | ${cell(provider.summary)} | ${variables} |`);
  }
  line();

  // selection
  line('## selection');
  line();
  line("`selection.strategy` picks the parent-selection rule; each strategy's options sit under its own");
  line('key, all defaulted. Guide: [SELECTION.md](SELECTION.md).');
  line();
  const selection = unwrap(shape.selection).core;
  const selectionShape = definitionOf(selection).shape;
  const optionOwner = new Map(
    selectorKinds
      .list()
      .filter((kind) => kind.options)
      .map((kind) => [kind.options.key, kind]),
  );
  const selectionDocs = docsFor(literals, Object.keys(selectionShape), 'selection');
  line(...TABLE_HEAD);
  for (const [key, field] of Object.entries(selectionShape)) {
    if (optionOwner.has(key)) continue;
    line(`| \`selection.${key}\` | ${typeOf(field)} | ${defaultOf(field)} | ${cell(selectionDocs.get(key) ?? '')} |`);
  }
  line();
  line('| strategy | what it does | options key |');
  line('|---|---|---|');
  for (const kind of selectorKinds.list()) {
    line(`| \`${kind.kind}\` | ${cell(kind.summary)} | ${kind.options ? `\`selection.${kind.options.key}\`` : '—'} |`);
  }
  line();
  for (const [key, kind] of optionOwner) {
    line(`### selection.${key} (strategy \`${kind.kind}\`)`);
    line();
    line(...TABLE_HEAD);
    line(...rowsFor(literals, unwrap(selectionShape[key]).core, `selection.${key}.`, `selection.${key}`));
    line();
  }

  // fixed sections
  const fixed = [
    ['evaluation', 'Staged (cascade) evaluation. Guide: [SELECTION.md](SELECTION.md#staged-evaluation).'],
    [
      'budget',
      'When the campaign stops starting children. Each limit applies across resumes except `wallClockSeconds` (per invocation).',
    ],
    ['sandbox', 'Where and under which limits evaluations run. Guide: [SANDBOX.md](SANDBOX.md).'],
  ];
  for (const [key, intro] of fixed) {
    line(`## ${key}`);
    line();
    line(intro);
    line();
    line(...TABLE_HEAD);
    line(...rowsFor(literals, unwrap(shape[key]).core, `${key}.`, key));
    line();
    if (key === 'sandbox') {
      line('Sandbox drivers registered (`sandbox.kind` takes the selectable ones, plus `auto`):');
      line();
      line('| driver | isolated on every machine | selectable | what it is |');
      line('|---|---|---|---|');
      for (const kind of sandboxKinds.list()) {
        line(
          `| \`${kind.kind}\` | ${kind.isolated ? 'yes' : 'no'} | ${kind.selectable ? 'yes' : 'no'} | ${cell(kind.summary)} |`,
        );
      }
      line();
    }
  }

  // executor: a discriminated union of fixed kinds
  line('## executor');
  line();
  line('Where evaluations run. Guide: [WORKERS.md](WORKERS.md).');
  line();
  for (const option of definitionOf(unwrap(shape.executor).core).options) {
    const kindValue = definitionOf(unwrap(definitionOf(option).shape.kind).core).values[0];
    line(`### executor.kind: ${kindValue}`);
    line();
    line(...TABLE_HEAD);
    line(...rowsFor(literals, option, 'executor.', `executor (${kindValue})`));
    line();
  }

  line('## prices');
  line();
  line('Prices of models not in the built-in table (or overrides), for costs and `budget.usd`. Guide:');
  line('[PROVIDERS.md](PROVIDERS.md#costs).');
  line();
  line(...TABLE_HEAD);
  for (const nested of nestedObjects(shape.prices)) {
    line(...rowsFor(literals, nested.schema, `prices${nested.suffix}.`, 'prices'));
  }
  line();
  line('## agentModel');
  line();
  line('The model that agents call from inside the sandbox, through the model proxy. Guide:');
  line('[MODEL-PROXY.md](MODEL-PROXY.md).');
  line();
  line(...TABLE_HEAD);
  line(...rowsFor(literals, unwrap(shape.agentModel).core, 'agentModel.', 'agentModel'));
  line();
  return `${out.join('\n')}`;
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const rootIndex = process.argv.indexOf('--root');
  const root = rootIndex > 0 ? path.resolve(process.argv[rootIndex + 1] ?? '.') : packageRoot;
  const text = await renderConfigurationDoc(root);
  if (process.argv.includes('--stdout')) process.stdout.write(text);
  else if (process.argv.includes('--check')) {
    let current = '';
    try {
      current = readFileSync(OUTPUT, 'utf8');
    } catch {
      current = '';
    }
    if (current !== text) {
      console.error(`${path.relative(process.cwd(), OUTPUT)} is out of date: run \`npm run build && npm run docs\`.`);
      process.exit(1);
    }
  } else {
    writeFileSync(OUTPUT, text);
    console.log(`wrote ${path.relative(process.cwd(), OUTPUT)}`);
  }
}
