"""`make package`: `sam build` the stack, then print every function's and layer's size, unzipped and zipped,
check what they hold, and time each handler's import from the built artifact in a clean interpreter.

    .venv/bin/python infra/package.py [--runs N] [--no-build]

- Python 3.12 for `sam build` (the python3.12 runtime's builder wants it on PATH): $PYTHON312, else a 3.12
  that pyenv already has (`pyenv versions`), else `python3.12` on PATH. Nothing is installed. The layers are
  built by their Makefiles with pip's --platform wheels (layers/*/Makefile) and need no 3.12 at all.
- Sizes: a function's package is its code; with its layers it must stay under Lambda's 250 MB unzipped.
- Contents: no build or test tools (pip, setuptools, pytest, ...), no boto3/botocore (the runtime's are used),
  no local harness or moto. Any of these fails the command.
- Bytecode: the functions' code and the dependencies layer ship CPython 3.12 `.pyc` files (unchecked-hash:
  valid whatever the files' times after unzipping). /var/task and /opt are read-only on Lambda, so without them
  every cold start compiles every module from source (measured here with nothing compiled: the ack handler's own
  imports took ~170 ms of CPU instead of ~40; issue 18e, docs/notes.md). The charts layer is left as it is (its size; the report imports it
  when it draws). A `.py` without its `.pyc` there fails the command.
- Init: the import of each handler module from the built code (and the built layers where this machine can
  load them: same architecture, Python 3.12) in a fresh interpreter, N runs each interleaved with `import boto3`,
  judged as `make bench` judges it (bench/coldstart_bench.py: fastest to fastest).
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / ".aws-sam" / "build"
LIMIT_MB = 250
FORBIDDEN = ("pip", "setuptools", "pkg_resources", "_pytest", "pytest", "wheel", "boto3", "botocore",
             "s3transfer", "moto", "clinic_reviews_local", "tests")
ARCH = {"arm64": "aarch64", "x86_64": "x86_64"}
#: Built artifacts that ship bytecode: every function's code and these layers.
BYTECODE_LAYERS = ("DependenciesLayer",)


def python312() -> Path | None:
    """A Python 3.12 this machine already has, or None."""
    candidates = [os.environ.get("PYTHON312", "")]
    pyenv = shutil.which("pyenv")
    if pyenv:
        versions = subprocess.run([pyenv, "versions", "--bare"], capture_output=True, text=True).stdout.split()
        for version in sorted((v for v in versions if v.startswith("3.12")), reverse=True):
            prefix = subprocess.run([pyenv, "prefix", version], capture_output=True, text=True).stdout.strip()
            candidates.append(f"{prefix}/bin/python3.12")
    candidates.append(shutil.which("python3.12") or "")
    for candidate in filter(None, candidates):
        probe = subprocess.run([candidate, "-c", "import sys; print(sys.version_info[:2] == (3, 12))"],
                               capture_output=True, text=True)
        if probe.stdout.strip() == "True":
            return Path(candidate)
    return None


def template() -> dict:
    sys.path.insert(0, str(ROOT / "functions"))
    from clinic_reviews.cost.inventory import read_template

    return read_template(ROOT / "template.yaml")


def build(python: Path, architecture: str) -> float:
    env = {
        **os.environ,
        "PATH": f"{python.parent}{os.pathsep}{os.environ['PATH']}",
        "PIP_PYTHON": sys.executable,
        "LAMBDA_ARCH": ARCH[architecture],
        "SAM_CLI_TELEMETRY": "0",
    }
    sam = Path(sys.executable).with_name("sam")
    started = time.monotonic()
    subprocess.run([str(sam), "build", "--template-file", "template.yaml", "--build-dir", str(BUILD), "--parallel"],
                   cwd=ROOT, env=env, check=True)
    return time.monotonic() - started


def precompile(python: Path, folders: list[Path]) -> None:
    """Write CPython 3.12 bytecode beside every module (unchecked-hash: never compared with the sources)."""
    subprocess.run([str(python), "-m", "compileall", "-q", "-j", "0", "--invalidation-mode", "unchecked-hash",
                    *map(str, folders)], check=True)


def without_bytecode(folder: Path) -> list[str]:
    """Modules under `folder` without their CPython 3.12 bytecode."""
    return sorted(str(source.relative_to(folder)) for source in folder.rglob("*.py")
                  if not (source.parent / "__pycache__" / f"{source.stem}.cpython-312.pyc").is_file())


def sizes(folder: Path) -> tuple[int, int]:
    """(unzipped bytes, zipped bytes) of a built artifact."""
    unzipped, buffer = 0, io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                unzipped += path.stat().st_size
                archive.write(path, path.relative_to(folder))
    return unzipped, buffer.tell()


def forbidden(folder: Path) -> list[str]:
    top = folder / "python" if (folder / "python").is_dir() else folder
    return sorted(p.name for p in top.iterdir() if p.name.split("-")[0].split(".")[0] in FORBIDDEN)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="imports per handler for the init time (5)")
    parser.add_argument("--no-build", action="store_true", help="report on the existing .aws-sam/build")
    args = parser.parse_args(argv)

    resources = template()["Resources"]
    globals_ = template()["Globals"]["Function"]
    architecture = globals_.get("Architectures", ["x86_64"])[0]
    python = python312()
    if not args.no_build:
        if python is None:
            print("package: no Python 3.12 on this machine (pyenv versions, python3.12 on PATH or $PYTHON312); "
                  "`sam build --use-container` builds without one", file=sys.stderr)
            return 2
        print(f"sam build with {python} for {architecture}", flush=True)
        print(f"built in {build(python, architecture):.0f} s")

    layers = {name: r for name, r in resources.items() if r["Type"] == "AWS::Serverless::LayerVersion"}
    functions = {name: r for name, r in resources.items() if r["Type"] == "AWS::Serverless::Function"}
    compiled = [BUILD / name for name in sorted(functions)] + [BUILD / name for name in BYTECODE_LAYERS]
    if not args.no_build and python is not None:
        precompile(python, compiled)
    measured = {name: sizes(BUILD / name) for name in sorted({*layers, *functions})}
    problems = [f"{folder.name} ships {source} without its 3.12 bytecode" for folder in compiled
                for source in without_bytecode(folder)[:3]]
    print(f"\n{'artifact':<24}{'unzipped MB':>12}{'zipped MB':>11}{'with layers MB':>16}")
    for name in sorted(layers):
        unzipped, zipped = measured[name]
        print(f"{name:<24}{unzipped / 1e6:>12.1f}{zipped / 1e6:>11.1f}")
    for name, resource in sorted(functions.items()):
        attached = [layer["Ref"] for layer in [*globals_.get("Layers", []), *resource["Properties"].get("Layers", [])]]
        unzipped, zipped = measured[name]
        total = unzipped + sum(measured[layer][0] for layer in attached)
        print(f"{name:<24}{unzipped / 1e6:>12.1f}{zipped / 1e6:>11.1f}{total / 1e6:>16.1f}"
              f"   room {LIMIT_MB - total / 1e6:.0f} MB of {LIMIT_MB}")
        if total > LIMIT_MB * 1e6:
            problems.append(f"{name}: {total / 1e6:.0f} MB unzipped with its layers, over Lambda's {LIMIT_MB} MB")
    for name in sorted(measured):
        if found := forbidden(BUILD / name):
            problems.append(f"{name} holds what the code never imports: {', '.join(found)}")

    sys.path.insert(0, str(ROOT / "bench"))
    from coldstart_bench import import_seconds, lambda_environment, measure, report

    native = python is not None and platform.machine() == ARCH[architecture]
    if native:
        interpreter = str(python)
        extra = [str(BUILD / layer / "python") for layer in layers]
        boto3_home = [str(Path(p)) for p in sys.path if p.endswith("site-packages")][:1]
        note = "built code and layers, Python 3.12"
    else:
        interpreter = sys.executable
        extra = [p for p in sys.path if p.endswith("site-packages")]
        boto3_home = []
        note = f"built code; the {architecture} layers cannot load here, this venv's packages stand in"
    modules = {name: r["Properties"]["Handler"].rpartition(".")[0] for name, r in sorted(functions.items())}
    built = BUILD / sorted(functions)[0]  # every function's package is the same code (one CodeUri)
    # Bytecode in a scratch folder: this interpreter's (3.11 here) is never written into the artifact, and every
    # handler is imported once untimed first, so that no figure includes compiling (Lambda loads the shipped .pyc).
    scratch = tempfile.mkdtemp(prefix="package-pycache-")
    env = lambda_environment({"LAMBDA_TASK_ROOT": str(built), "PYTHONPYCACHEPREFIX": scratch})
    path = [str(built), *extra, *boto3_home]
    for module in ["boto3", *modules.values()]:
        import_seconds(module, python=interpreter, path=path, env=env)
    samples = measure(modules, args.runs, python=interpreter, path=path, env=env)
    shutil.rmtree(scratch, ignore_errors=True)
    print()
    report(samples, modules, f"init (import) of the packaged handlers, {note}, {args.runs} runs each")
    for problem in problems:
        print(f"package: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
