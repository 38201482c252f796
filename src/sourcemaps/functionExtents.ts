/**
 * Where each function of a JavaScript or TypeScript source begins and ends, and which function
 * each line belongs to: what attributing the lines of inlined functions needs (inlined.ts). Pure:
 * the text comes in, nothing is read.
 *
 * JavaScript is parsed with acorn. TypeScript (and JSX) first goes through sucrase, which strips
 * the types and keeps every line where it was (columns move where types are removed), then
 * through acorn: line figures are what V8 gives for lines, so lines are what must be right.
 *
 * A function's "V8 position" is where V8's profiler places it (`callFrame.lineNumber` and
 * `columnNumber`): the `(` of its parameters (the parameter itself for `x => ...`). Class
 * fields run in a function V8 makes and calls `<instance_members_initializer>` (static ones:
 * `<static_initializer>`), placed at the `class` keyword: each class with fields gets those two
 * pseudo functions, made of the fields' initializers.
 */
import { parse, type Node as AcornNode, type Options } from 'acorn';
import { transform, type Transform } from 'sucrase';

/** One function of a source file. Lines and columns are 1-based; offsets index the parsed text. */
export interface FunctionExtent {
  /** The name V8 gives it (declared, or inferred from a variable, property or method). */
  readonly name: string;
  /** V8's position of the function (see the module comment). */
  readonly line1: number;
  readonly col1: number;
  /** First and last line of its code. */
  readonly startLine1: number;
  readonly endLine1: number;
  /** Its code as [start, end) offsets: one range for a function, one per field for initializers. */
  readonly ranges: readonly (readonly [number, number])[];
  /** The enclosing function's index, or -1 at the top level. */
  readonly parent: number;
}

/** The functions of one source file and which function each line belongs to. */
export interface SourceFunctions {
  /** In source order, every parent before its children. */
  readonly functions: readonly FunctionExtent[];
  /** Whether columns are the source's own (JavaScript) or moved by type stripping (TypeScript). */
  readonly exactColumns: boolean;
  /**
   * Per 1-based line, the innermost function whose lines span it (-1: top-level code only).
   * Of two sibling functions on one line, the later wins.
   */
  readonly byLineRange: Int32Array;
  /**
   * Per 1-based line, the innermost function holding all of the line's code, from its first to
   * its last non-blank character (-1: the top level). A line holding code of two functions
   * (`xs.map((x) => {`, `});`) belongs to the enclosing one.
   */
  readonly byWholeLine: Int32Array;
}

/** Files larger than this are not parsed (minified bundles without maps: lines mean little there). */
const MAX_SOURCE_CHARS = 8 * 1024 * 1024;

const JS = /\.(?:m|c)?jsx?$/i;
const TS = /\.(?:m|c)?tsx?$/i;

/** True for files whose functions {@link sourceFunctions} can find, by name. */
export function isParsableSource(path: string): boolean {
  return JS.test(path) || TS.test(path);
}

/**
 * The functions of `text`, the content of `path` (its extension says how to parse it), or
 * undefined when it cannot be parsed: then nothing can be said about its lines.
 */
export function sourceFunctions(path: string, text: string): SourceFunctions | undefined {
  if (text.length > MAX_SOURCE_CHARS || !isParsableSource(path)) return undefined;
  let code = text;
  const typescript = TS.test(path);
  if (typescript || /x$/i.test(path)) {
    const transforms: Transform[] = typescript ? ['typescript'] : [];
    if (/x$/i.test(path)) transforms.push('jsx');
    try {
      code = transform(text, {
        transforms,
        filePath: path,
        disableESTransforms: true,
        keepUnusedImports: true,
        preserveDynamicImport: true,
      }).code;
    } catch {
      return undefined;
    }
  }
  const program = parseProgram(code);
  if (!program) return undefined;
  const lineStarts = [0];
  for (let i = 0; i < code.length; i++) if (code.charCodeAt(i) === 10) lineStarts.push(i + 1);
  const functions = collect(program, code, lineStarts);
  return {
    functions,
    exactColumns: !typescript,
    ...lineOwners(functions, code, lineStarts),
  };
}

function parseProgram(code: string): AcornNode | undefined {
  const options: Options = {
    ecmaVersion: 'latest',
    allowHashBang: true,
    allowReturnOutsideFunction: true,
    allowAwaitOutsideFunction: true,
    allowImportExportEverywhere: true,
    allowReserved: true,
  };
  for (const sourceType of ['module', 'script'] as const) {
    try {
      return parse(code, { ...options, sourceType });
    } catch {
      // A script that is not a valid module (`with`, octal literals): try it as a script.
    }
  }
  return undefined;
}

/** An acorn node with the fields this walk reads (acorn's typings are per node type). */
interface Ast {
  type: string;
  start: number;
  end: number;
  [key: string]: unknown;
}

function isAst(v: unknown): v is Ast {
  return typeof v === 'object' && v !== null && typeof (v as Ast).type === 'string';
}

function keyName(key: unknown, computed: unknown): string | undefined {
  if (computed || !isAst(key)) return undefined;
  if (key.type === 'Identifier') return key.name as string;
  if (key.type === 'PrivateIdentifier') return `#${key.name as string}`;
  if (key.type === 'Literal') return String(key.value);
  return undefined;
}

const FUNCTION_TYPES = new Set([
  'FunctionDeclaration',
  'FunctionExpression',
  'ArrowFunctionExpression',
]);

/** The name V8 gives a function, from its own id or from where it is defined. */
function functionName(fn: Ast, parent: Ast | undefined, classNode: Ast | undefined): string {
  const id = fn.id;
  if (isAst(id) && id.type === 'Identifier') return id.name as string;
  if (!parent) return '(anonymous)';
  switch (parent.type) {
    case 'VariableDeclarator':
      if (isAst(parent.id) && parent.id.type === 'Identifier') return parent.id.name as string;
      break;
    case 'AssignmentExpression':
    case 'AssignmentPattern': {
      const left = parent.left;
      if (isAst(left) && left.type === 'Identifier') return left.name as string;
      if (isAst(left) && left.type === 'MemberExpression') {
        return keyName(left.property, left.computed) ?? '(anonymous)';
      }
      break;
    }
    case 'MethodDefinition':
      if (parent.kind === 'constructor') {
        const cid = classNode?.id;
        return isAst(cid) && cid.type === 'Identifier' ? (cid.name as string) : '(anonymous)';
      }
      return keyName(parent.key, parent.computed) ?? '(anonymous)';
    case 'Property':
    case 'PropertyDefinition':
      return keyName(parent.key, parent.computed) ?? '(anonymous)';
  }
  return '(anonymous)';
}

/** Offset of V8's position of a function: its parameters' `(`, or the lone arrow parameter. */
function v8Offset(fn: Ast, code: string): number {
  let from = fn.start;
  if (isAst(fn.id)) from = fn.id.end;
  else if (fn.async && fn.type === 'ArrowFunctionExpression') from = fn.start + 'async'.length;
  const params = fn.params as Ast[];
  const paren = code.indexOf('(', from);
  if (fn.type === 'ArrowFunctionExpression' && params.length === 1) {
    // `x => ...` has no parenthesis: V8 places it at the parameter.
    if (paren < 0 || paren > params[0].start) return params[0].start;
  }
  return paren >= 0 && paren < fn.end ? paren : fn.start;
}

interface Position {
  line1: number;
  col1: number;
}

function positionOf(offset: number, lineStarts: number[]): Position {
  let lo = 0;
  let hi = lineStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (lineStarts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line1: lo + 1, col1: offset - lineStarts[lo] + 1 };
}

/** The child nodes of an AST node, in source order. */
function childrenOf(node: Ast): Ast[] {
  const out: Ast[] = [];
  for (const key in node) {
    if (key === 'type' || key === 'start' || key === 'end' || key === 'loc') continue;
    const v = node[key];
    if (isAst(v)) out.push(v);
    else if (Array.isArray(v)) for (const x of v) if (isAst(x)) out.push(x);
  }
  return out.sort((a, b) => a.start - b.start);
}

/** Every function of the program, parents before children, with its ranges and V8 position. */
function collect(program: AcornNode, code: string, lineStarts: number[]): FunctionExtent[] {
  const out: FunctionExtent[] = [];
  const add = (name: string, at: number, ranges: [number, number][], parent: number) => {
    const pos = positionOf(at, lineStarts);
    const last = ranges[ranges.length - 1][1];
    out.push({
      name,
      line1: pos.line1,
      col1: pos.col1,
      startLine1: positionOf(ranges[0][0], lineStarts).line1,
      endLine1: positionOf(Math.max(ranges[0][0], last - 1), lineStarts).line1,
      ranges,
      parent,
    });
    return out.length - 1;
  };
  // Class fields run in the class's initializer functions: field node -> that function.
  const initializerOf = new Map<Ast, number>();
  interface Item {
    node: Ast;
    parent: Ast | undefined;
    /** The innermost enclosing function, -1 at the top level. */
    fn: number;
    /** The innermost enclosing class, for constructors' names. */
    cls: Ast | undefined;
  }
  // Depth-first with an explicit stack (generated files nest deeper than the JS call stack),
  // children pushed in reverse so that functions come out in source order, parents first.
  const stack: Item[] = [
    { node: program as unknown as Ast, parent: undefined, fn: -1, cls: undefined },
  ];
  while (stack.length) {
    const item = stack.pop()!;
    const { node, parent } = item;
    let fn = initializerOf.get(node) ?? item.fn;
    let cls = item.cls;
    if (FUNCTION_TYPES.has(node.type)) {
      // A method's code starts at its name; an exported declaration's at `export`.
      const head =
        parent &&
        (parent.type === 'MethodDefinition' ||
          (parent.type === 'Property' && (parent.method || parent.kind !== 'init')) ||
          parent.type === 'ExportNamedDeclaration' ||
          parent.type === 'ExportDefaultDeclaration')
          ? parent.start
          : node.start;
      fn = add(functionName(node, parent, cls), v8Offset(node, code), [[head, node.end]], fn);
    } else if (node.type === 'ClassDeclaration' || node.type === 'ClassExpression') {
      cls = node;
      const members = isAst(node.body) ? (node.body.body as Ast[]) : [];
      for (const isStatic of [false, true]) {
        const fields = members.filter(
          (m) =>
            (m.type === 'PropertyDefinition' && !!m.static === isStatic) ||
            (isStatic && m.type === 'StaticBlock'),
        );
        if (!fields.length) continue;
        const name = isStatic ? '<static_initializer>' : '<instance_members_initializer>';
        const at = add(
          name,
          node.start,
          fields.map((m) => [m.start, m.end]),
          fn,
        );
        for (const m of fields) initializerOf.set(m, at);
      }
    }
    const kids = childrenOf(node);
    for (let k = kids.length - 1; k >= 0; k--) stack.push({ node: kids[k], parent: node, fn, cls });
  }
  return out;
}

/** Per line, its owner by line range and by whole line (see {@link SourceFunctions}). */
function lineOwners(
  functions: readonly FunctionExtent[],
  code: string,
  lineStarts: number[],
): Pick<SourceFunctions, 'byLineRange' | 'byWholeLine'> {
  const lines = lineStarts.length;
  const byLineRange = new Int32Array(lines + 1).fill(-1);
  const byWholeLine = new Int32Array(lines + 1).fill(-1);
  const first = new Int32Array(lines + 1).fill(-1);
  const last = new Int32Array(lines + 1).fill(-1);
  for (let l = 0; l < lines; l++) {
    const from = lineStarts[l];
    const to = l + 1 < lines ? lineStarts[l + 1] - 1 : code.length;
    let a = from;
    while (a < to && /\s/.test(code[a])) a++;
    let b = to - 1;
    while (b >= a && /\s/.test(code[b])) b--;
    if (a <= b) {
      first[l + 1] = a;
      last[l + 1] = b;
    }
  }
  // Parents come before children, so inner functions overwrite outer ones.
  functions.forEach((f, i) => {
    for (let l = f.startLine1; l <= f.endLine1; l++) byLineRange[l] = i;
    for (const [start, end] of f.ranges) {
      const from = positionOf(start, lineStarts).line1;
      const to = positionOf(Math.max(start, end - 1), lineStarts).line1;
      for (let l = from; l <= to; l++) {
        if (first[l] >= 0 && first[l] >= start && last[l] < end) byWholeLine[l] = i;
      }
    }
  });
  return { byLineRange, byWholeLine };
}
