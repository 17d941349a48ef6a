"""Run every benchmark in bench/ (files named bench_*.py), or those named on the command line.

Each benchmark prints medians and ratios and writes bench/results/<name>.json. Benchmarks measure;
tests never time anything.
"""

import importlib.util
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))


def main(names: list[str]) -> None:
    results_dir = HERE / "results"
    results_dir.mkdir(exist_ok=True)
    files = sorted(HERE.glob("bench_*.py"))
    if names:
        files = [f for f in files if f.stem.removeprefix("bench_") in names or f.stem in names]
    for path in files:
        spec = importlib.util.spec_from_file_location(path.stem, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        print(f"\n## {path.stem}")
        result = module.main()
        (results_dir / f"{path.stem}.json").write_text(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main(sys.argv[1:])
