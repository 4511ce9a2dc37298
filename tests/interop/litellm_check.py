"""Load LiteLLM proxy configs with LiteLLM's own loader, offline, and print a JSON summary.

Usage: .venv/bin/python litellm_check.py CONFIG.yaml [CONFIG.yaml ...]

Each config is loaded by `litellm.proxy.proxy_server.ProxyConfig().load_config` in this one
process (importing the proxy costs several seconds, so pass many configs at once). Prints one
JSON object: {"litellm_version": ..., "configs": {PATH: SUMMARY}}. A SUMMARY has "ok",
"error" (when the loader raised), "yaml_deployments" (entries under model_list in the file),
"deployments" (what the router kept: LiteLLM drops invalid deployments without raising),
"model_names", "router" (a few router settings) and "warnings" (LiteLLM's own warning logs).
LiteLLM's own logs and banners go to stderr. Configs loaded in one process share LiteLLM's
module-level proxy state; for strict isolation, load one config per process.
Exit status: 0 when every config loaded and the router kept every deployment, 1 otherwise,
2 on usage errors.
"""

import os

# No network: never fetch the remote model cost map (LiteLLM does so at import otherwise).
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

import asyncio  # noqa: E402
import contextlib  # noqa: E402
import importlib.metadata  # noqa: E402
import json  # noqa: E402
import logging  # noqa: E402
import sys  # noqa: E402

import yaml  # noqa: E402


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.records: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        try:
            line = f"{record.name}: {record.getMessage()}"
        except Exception:  # noqa: BLE001
            line = f"{record.name}: {record.msg!r}"
        if line not in self.records:
            self.records.append(line)


def _jsonable(value):
    try:
        json.dumps(value)
        return value
    except (TypeError, ValueError):
        return repr(value)


async def _load(path: str, collect: _Collect) -> dict:
    from litellm.proxy.proxy_server import ProxyConfig

    summary: dict = {"ok": False}
    collect.records.clear()
    try:
        with open(path, encoding="utf-8") as fh:
            raw = yaml.safe_load(fh) or {}
        summary["yaml_deployments"] = len(raw.get("model_list") or [])
        router, model_list, _settings = await ProxyConfig().load_config(router=None, config_file_path=path)
        deployments = []
        for d in model_list or []:
            params = d.get("litellm_params") or {}
            deployments.append(
                {
                    "model_name": d.get("model_name"),
                    "model": params.get("model"),
                    "api_base": params.get("api_base"),
                }
            )
        summary["deployments"] = deployments
        summary["model_names"] = sorted({d["model_name"] for d in deployments if d["model_name"]})
        summary["router"] = {
            "routing_strategy": _jsonable(getattr(router, "routing_strategy", None)),
            "num_retries": _jsonable(getattr(router, "num_retries", None)),
            "timeout": _jsonable(getattr(router, "timeout", None)),
            "fallbacks": _jsonable(getattr(router, "fallbacks", None)),
        }
        summary["ok"] = len(deployments) == summary["yaml_deployments"]
        if not summary["ok"]:
            summary["error"] = (
                f"router kept {len(deployments)} of {summary['yaml_deployments']} deployments"
            )
    except Exception as exc:  # noqa: BLE001
        summary["error"] = f"{type(exc).__name__}: {exc}"
    summary["warnings"] = list(collect.records)
    return summary


def main(argv: list[str]) -> int:
    if not argv or argv[0] in {"-h", "--help"}:
        print(__doc__, file=sys.stderr)
        return 2
    collect = _Collect()
    logging.getLogger().addHandler(collect)
    for name in ("LiteLLM", "LiteLLM Proxy", "LiteLLM Router"):
        logging.getLogger(name).addHandler(collect)
    results = {}
    # LiteLLM prints banners to stdout: keep stdout for the JSON alone.
    with contextlib.redirect_stdout(sys.stderr):
        for path in argv:
            results[path] = asyncio.run(_load(path, collect))
    out = {"litellm_version": importlib.metadata.version("litellm"), "configs": results}
    print(json.dumps(out, indent=2, sort_keys=True))
    return 0 if all(r["ok"] for r in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
