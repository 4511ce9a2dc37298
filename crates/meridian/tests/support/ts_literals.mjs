// Reads a generated Pulumi program back with the TypeScript compiler and prints, as JSON:
//   strings       the value of every string literal in index.ts, as the compiler reads it
//   tags          every `tags: { ... }` object literal, as { key: value }
//   descriptions  the value of every `description: "..."` property
//   diagnostics   syntactic and semantic (type-check) errors of the project, as text
//
// Usage: node ts_literals.mjs NODE_MODULES_DIR PROJECT_DIR
// PROJECT_DIR holds tsconfig.json and index.ts. TypeScript is loaded from NODE_MODULES_DIR:
// the classic compiler API (TypeScript 5/6) when it has one, else the API of TypeScript 7
// (`typescript/unstable/sync`, which drives the native compiler).
import { createRequire } from "node:module";
import path from "node:path";

const [, , nodeModules, projectDir] = process.argv;
if (!nodeModules || !projectDir) {
  console.error("usage: node ts_literals.mjs NODE_MODULES_DIR PROJECT_DIR");
  process.exit(2);
}
const require = createRequire(path.join(path.resolve(nodeModules), "noop.js"));
const configPath = path.resolve(projectDir, "tsconfig.json");
const indexPath = path.resolve(projectDir, "index.ts");

function collect(sourceFile, kinds, children, nameText) {
  const out = { strings: [], tags: [], descriptions: [] };
  const visit = (node) => {
    if (node.kind === kinds.StringLiteral || node.kind === kinds.NoSubstitutionTemplateLiteral) {
      out.strings.push(node.text);
    }
    if (node.kind === kinds.PropertyAssignment) {
      const name = nameText(node.name);
      const init = node.initializer;
      if (name === "tags" && init.kind === kinds.ObjectLiteralExpression) {
        const tags = {};
        for (const p of init.properties) {
          const key = p.kind === kinds.PropertyAssignment ? nameText(p.name) : null;
          if (key === null || p.initializer.kind !== kinds.StringLiteral) {
            throw new Error(`a tag that is not "key": "value" at ${p.pos}`);
          }
          if (Object.prototype.hasOwnProperty.call(tags, key)) {
            throw new Error(`duplicate tag ${JSON.stringify(key)}`);
          }
          tags[key] = p.initializer.text;
        }
        out.tags.push(tags);
      }
      if (name === "description" && init.kind === kinds.StringLiteral) {
        out.descriptions.push(init.text);
      }
    }
    children(node, visit);
  };
  visit(sourceFile);
  return out;
}

function position(text, pos) {
  const before = text.slice(0, pos).split("\n");
  return `${before.length}:${before[before.length - 1].length + 1}`;
}

let result;
const classic = require("typescript");
if (typeof classic.createProgram === "function") {
  const ts = classic;
  const host = { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => { throw new Error(ts.flattenDiagnosticMessageText(d.messageText, "\n")); } };
  const config = ts.getParsedCommandLineOfConfigFile(configPath, {}, host);
  const program = ts.createProgram({ rootNames: config.fileNames, options: config.options, configFileParsingDiagnostics: config.errors });
  const sourceFile = program.getSourceFile(indexPath);
  if (!sourceFile) throw new Error(`${indexPath} is not in the program`);
  const nameText = (n) => (n.kind === ts.SyntaxKind.Identifier || n.kind === ts.SyntaxKind.StringLiteral || n.kind === ts.SyntaxKind.NumericLiteral ? n.text : null);
  result = collect(sourceFile, ts.SyntaxKind, (n, f) => ts.forEachChild(n, f), nameText);
  result.diagnostics = ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file ? `${path.basename(d.file.fileName)}:${position(d.file.text, d.start ?? 0)} ` : "";
    return `${where}TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, " ")}`;
  });
  result.compiler = `typescript ${ts.version} (classic API)`;
} else {
  // The API decodes every string it receives from the compiler with a TextDecoder, which
  // drops a leading U+FEFF unless told not to: a literal "\uFEFF..." would read back without
  // it. Strings are data here, so decode with ignoreBOM (before the API defines its decoder).
  const Decoder = globalThis.TextDecoder;
  globalThis.TextDecoder = class extends Decoder {
    constructor(label, options) {
      super(label, { ...options, ignoreBOM: true });
    }
  };
  const api = await import(require.resolve("typescript/unstable/sync"));
  const ast = await import(require.resolve("typescript/unstable/ast"));
  const client = new api.API({ cwd: path.resolve(projectDir) });
  try {
    const snapshot = client.updateSnapshot({ openProjects: [configPath] });
    const project = snapshot.getProject(configPath);
    if (!project) throw new Error(`no project for ${configPath}`);
    const program = project.program;
    const sourceFile = program.getSourceFile(indexPath);
    if (!sourceFile) throw new Error(`${indexPath} is not in the program`);
    const k = ast.SyntaxKind;
    const nameText = (n) => (n.kind === k.Identifier || n.kind === k.StringLiteral || n.kind === k.NumericLiteral ? n.text : null);
    result = collect(sourceFile, k, (n, f) => n.forEachChild(f), nameText);
    const diagnostics = [
      ...program.getConfigFileParsingDiagnostics(),
      ...program.getProgramDiagnostics(),
      ...program.getGlobalDiagnostics(),
      ...program.getSyntacticDiagnostics(indexPath),
      ...program.getSemanticDiagnostics(indexPath),
    ];
    result.diagnostics = diagnostics.map((d) => {
      const here = d.fileName && path.resolve(d.fileName) === indexPath;
      const where = d.fileName ? `${path.basename(d.fileName)}:${here ? position(sourceFile.text, d.pos) : d.pos} ` : "";
      return `${where}TS${d.code}: ${d.text}`;
    });
    result.compiler = `typescript ${require("typescript/package.json").version} (unstable/sync API)`;
  } finally {
    client.close();
  }
}
process.stdout.write(JSON.stringify(result));
