"""Reads YAML files with the parser LiteLLM uses (PyYAML's `safe_load`) and prints what it read
as JSON on stdout, keyed by path: an independent check of Meridian's YAML escaping.

    python yaml_values.py FILE.yaml [FILE.yaml ...]

A file PyYAML rejects gives {"error": "..."} instead of its content.
"""

import json
import sys

import yaml


def main(paths):
    out = {}
    for path in paths:
        try:
            with open(path, encoding="utf-8") as fh:
                out[path] = {"value": yaml.safe_load(fh)}
        except yaml.YAMLError as e:
            out[path] = {"error": f"{type(e).__name__}: {e}"}
    print(json.dumps(out, ensure_ascii=True, sort_keys=True, default=repr))


if __name__ == "__main__":
    main(sys.argv[1:])
