"""Loads a generated LiteLLM config with LiteLLM's own code, offline, and prints what LiteLLM
made of it as JSON on stdout.

    python check_config.py CONFIG.yaml [CONFIG.yaml ...]

(one process for several files: importing LiteLLM's proxy takes most of the time). The result
is one JSON object per file, keyed by path.

1. The header's list of environment variables is read; every `os.environ/VAR` the file uses
   must be listed there (LiteLLM turns an unset variable into null without an error). Each
   listed variable is set to a dummy value.
2. The proxy's loader, `ProxyConfig().load_config(router=None, config_file_path=...)`, builds
   its router from the file (LITELLM_LOCAL_MODEL_COST_MAP=True: no download).
3. `litellm.Router(model_list=..., **router_settings)` is built directly as well: unlike the
   proxy (which passes `ignore_invalid_deployments=True`) it raises on an invalid deployment.

Every failure is an exception (non-zero exit); LiteLLM's own output goes to stderr.
"""

import asyncio
import contextlib
import copy
import json
import os
import re
import sys

import netguard

os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"
os.environ.setdefault("LITELLM_TELEMETRY", "False")
netguard.install()

HEADER_VARS = re.compile(r"^#   ([A-Z][A-Z0-9_]*)\s")
ENV_REF = re.compile(r"os\.environ/([A-Za-z0-9_]+)")


def header_vars(text):
    listed, inside = [], False
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        if line.startswith("# Environment variables"):
            inside = True
        elif inside and HEADER_VARS.match(line):
            listed.append(HEADER_VARS.match(line).group(1))
        elif inside:
            inside = False
    return listed


def dummy(var):
    if var.endswith("_ARN"):
        return f"arn:aws:bedrock:eu-central-1:000000000000:application-inference-profile/{var.lower()}"
    return f"dummy-{var.lower()}"


def describe(router):
    out = []
    for d in router.model_list:
        params = d["litellm_params"]
        info = d.get("model_info") or {}
        out.append(
            {
                "model_name": d["model_name"],
                "id": info.get("id"),
                "order": params.get("order"),
                "weight": params.get("weight"),
                "model": params.get("model"),
                "region_name": params.get("region_name"),
                "none_params": sorted(k for k, v in params.items() if v is None),
                "unresolved": sorted(k for k, v in params.items() if isinstance(v, str) and v.startswith("os.environ/")),
                "description": info.get("description"),
            }
        )
    return out


def strategy_of(router, group):
    try:
        return router._get_routing_context(group)[0]
    except Exception as e:  # a private helper; report rather than fail
        return f"unknown: {e}"


async def check(path):
    text = open(path, encoding="utf-8").read()
    listed = header_vars(text)
    body = "\n".join(l for l in text.splitlines() if not l.startswith("#"))
    used = sorted(set(ENV_REF.findall(body)))
    for var in list(os.environ):
        if var.startswith("MERIDIAN_") or var == "LITELLM_MASTER_KEY":
            del os.environ[var]
    for var in listed:
        os.environ[var] = dummy(var)

    import yaml
    import litellm
    from litellm.proxy.proxy_server import ProxyConfig

    litellm.enable_azure_ad_token_refresh = False
    cfg = yaml.safe_load(text)
    with contextlib.redirect_stdout(sys.stderr):
        proxy_router, proxy_models, general_settings = await ProxyConfig().load_config(
            router=None, config_file_path=path
        )
        settings = copy.deepcopy(cfg.get("router_settings") or {})
        direct = litellm.Router(model_list=copy.deepcopy(cfg["model_list"]), **settings)

    groups = sorted({d["model_name"] for d in direct.model_list})
    fallbacks = {}
    for key in ("fallbacks", "context_window_fallbacks", "content_policy_fallbacks"):
        entries = getattr(direct, key, None) or []
        fallbacks[key] = [{k: list(v) for k, v in e.items()} for e in entries]
    result = {
        "litellm_version": getattr(litellm, "version", None) or __import__("importlib.metadata").metadata.version("litellm"),
        "listed_vars": listed,
        "used_vars": used,
        "proxy": describe(proxy_router),
        "direct": describe(direct),
        "groups": groups,
        "strategies": {g: strategy_of(direct, g) for g in groups},
        "router": {
            "routing_strategy": str(direct.routing_strategy),
            "num_retries": direct.num_retries,
            "timeout": direct.timeout,
            "cooldown_time": direct.cooldown_time,
            "allowed_fails": direct.allowed_fails,
            "enable_pre_call_checks": direct.enable_pre_call_checks,
            "retry_policy_groups": sorted((direct.model_group_retry_policy or {}).keys()),
        },
        "fallbacks": fallbacks,
        "master_key_set": bool(general_settings.get("master_key")),
        "azure_ad_token_refresh": bool(litellm.enable_azure_ad_token_refresh),
        "blocked_network": list(netguard.BLOCKED),
    }
    return result


async def main(paths):
    results = {}
    for path in paths:
        results[path] = await check(path)
    print(json.dumps(results, ensure_ascii=True, sort_keys=True))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1:]))
