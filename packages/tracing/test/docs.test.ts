import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

// Every export of the public surface carries a JSDoc comment (STYLE.md: "JSDoc on every export,
// stating edge cases and units"). The compiler resolves each name in src/index.ts to where it is
// declared, so a new export without docs fails here, wherever it lives.
const INDEX = fileURLToPath(new URL('../src/index.ts', import.meta.url));

/** Exported names of `file` whose declarations have no JSDoc comment. */
function undocumentedExports(file: string): { exported: string[]; undocumented: string[] } {
  const program = ts.createProgram([file], {
    target: ts.ScriptTarget.ES2023,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    skipLibCheck: true,
    noEmit: true,
  });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(file);
  if (!source) throw new Error(`cannot load ${file}`);
  const moduleSymbol = checker.getSymbolAtLocation(source);
  if (!moduleSymbol) throw new Error(`${file} is not a module`);
  const exported: string[] = [];
  const undocumented: string[] = [];
  for (const symbol of checker.getExportsOfModule(moduleSymbol)) {
    exported.push(symbol.name);
    const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
    const declarations = target.declarations ?? [];
    const documented = declarations.some((declaration) => hasJsDoc(declaration));
    if (!documented) undocumented.push(symbol.name);
  }
  return { exported, undocumented };
}

function hasJsDoc(declaration: ts.Declaration): boolean {
  // `export const A = …`: the comment sits on the variable statement, two levels up.
  const node = ts.isVariableDeclaration(declaration) ? declaration.parent.parent : declaration;
  const source = node.getSourceFile();
  const start = node.getStart(source, false);
  return ts.getJSDocCommentsAndTags(node).some((doc) => {
    if (!ts.isJSDoc(doc)) return false;
    // The compiler also attaches a file's header comment to its first statement; a comment
    // separated from the declaration by a blank line is a header, not the declaration's doc.
    if (/\n[ \t]*\r?\n/.test(source.text.slice(doc.end, start))) return false;
    const text = ts.getTextOfJSDocComment(doc.comment);
    return typeof text === 'string' && text.trim() !== '';
  });
}

describe('public API docs', () => {
  const { exported, undocumented } = undocumentedExports(INDEX);

  it('resolves the exports of src/index.ts', () => {
    // Guards the check itself: a broken resolution would make "nothing undocumented" vacuous.
    expect(exported.length).toBeGreaterThan(80);
    expect(exported).toContain('TracingService');
    expect(exported).toContain('TracingOptions');
  });

  it('documents every export with a JSDoc comment', () => {
    expect(undocumented).toEqual([]);
  });
});
