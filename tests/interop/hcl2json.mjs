// Parse Terraform HCL with HashiCorp's HCL parser (Go hcl/v2 compiled to WebAssembly,
// shipped as npm `@cdktf/hcl2json`, which has no CLI of its own) and print JSON.
//
//   node tests/interop/hcl2json.mjs FILE.tf            -> prints the file's JSON
//   node tests/interop/hcl2json.mjs A.tf B.tf ...      -> prints {"A.tf": {...}, "B.tf": {...}}
//
// Exit status: 0 when every file parsed, 1 on a parse or read error (message on stderr,
// naming file, line and column), 2 on usage errors. Checks syntax only, not Terraform schemas.
import { readFileSync } from "node:fs";
import hcl2json from "@cdktf/hcl2json";

const files = process.argv.slice(2);
if (files.length === 0 || files.some((f) => f.startsWith("-"))) {
  process.stderr.write("usage: node hcl2json.mjs FILE.tf [FILE.tf ...]\n");
  process.exit(2);
}

const results = {};
let failed = false;
for (const file of files) {
  try {
    results[file] = await hcl2json.parse(file, readFileSync(file, "utf8"));
  } catch (err) {
    failed = true;
    process.stderr.write(`hcl2json: ${file}: ${err instanceof Error ? err.message : String(err)}\n`);
  }
}
if (failed) process.exit(1);
process.stdout.write(JSON.stringify(files.length === 1 ? results[files[0]] : results, null, 2) + "\n");
