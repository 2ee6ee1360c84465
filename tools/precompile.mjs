// Runs tools/precompile.py inside Pyodide under Node: the browser's own interpreter compiles the
// stdlib and the widget's modules to bytecode (make setup; see that file for what it writes).
// Usage: node tools/precompile.mjs RUNTIME_OUT WIDGET_ZIP
import { copyFileSync, mkdirSync, readFileSync, realpathSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { loadPyodide } from "pyodide";

const [runtimeOut, widgetZip] = process.argv.slice(2).map((p) => resolve(p));
if (!runtimeOut || !widgetZip) throw new Error("usage: node tools/precompile.mjs RUNTIME_OUT WIDGET_ZIP");
const repo = realpathSync(resolve(dirname(fileURLToPath(import.meta.url)), ".."));
const pyodideDir = realpathSync(dirname(fileURLToPath(import.meta.resolve("pyodide"))));

// The runtime's other files, unchanged: Pyodide finds python_stdlib.zip next to pyodide.mjs.
mkdirSync(runtimeOut, { recursive: true });
mkdirSync(dirname(widgetZip), { recursive: true });
for (const name of ["pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "pyodide-lock.json"]) {
  copyFileSync(resolve(pyodideDir, name), resolve(runtimeOut, name));
}

const py = await loadPyodide({ indexURL: pyodideDir + "/" });
// Host folders seen at the same paths inside Pyodide (NODEFS), so paths need no translating.
const mounts = [repo, pyodideDir, realpathSync(runtimeOut), realpathSync(dirname(widgetZip))];
for (const dir of new Set(mounts)) {
  py.FS.mkdirTree(dir);
  py.FS.mount(py.FS.filesystems.NODEFS, { root: dir }, dir);
}
py.globals.set("args", py.toPy([repo, pyodideDir, runtimeOut, widgetZip]));
py.runPython(readFileSync(resolve(repo, "tools/precompile.py"), "utf8"), { filename: "precompile.py" });
console.log("precompiled: " + py.runPython("main(*args)"));
