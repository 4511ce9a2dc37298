"""End-to-end failover and weighting of generated LiteLLM configs, against local mock servers.

    python e2e.py [--seed N] [--requests N] [--deadline SECONDS] CONFIG.yaml [CONFIG.yaml ...]

For every deployment of a config an OpenAI-compatible mock server listens on 127.0.0.1 (its
own port). It answers POST .../chat/completions with a completion whose text names the
deployment, or with 503 while it is switched to failing. The config is rewritten for the test
only: each deployment's provider becomes `openai/<mock>` with `api_base` pointing at its mock;
`order`, `weight`, `model_info` and every router setting stay as generated. Then, with a fresh
router per scenario, built by the proxy's own loader (`ProxyConfig().load_config` on the
rewritten file, as `litellm --config` builds it), and for every model group of the spec (the
failover copies `<model>@<tier>` are exercised through their model):

- primary:  all mocks healthy; one request is served by a deployment of the lowest order;
- failover: the mocks of the lowest order answer 503; the same request is served by the next
            order, and the failing mocks were tried first; later requests on the same router are
            served by the next order too, until (at most 8 of them) one no longer tries the
            failing mocks: the allowed-fails policy has cooled them down (`cooled_after`);
- weights:  for every order with several deployments under simple-shuffle (orders before it
            failing), `--requests` requests split by weight.

The served deployment is read from `response._hidden_params["model_id"]` and cross-checked
with the text the mock put in the response.

A wire check also sends one request to every Azure and Bedrock deployment as generated, with
only its endpoint moved to a recording mock (Azure: `api_base`, with a test key instead of
Entra ID; Bedrock: `aws_bedrock_runtime_endpoint`, with dummy AWS keys and a dummy ARN in the
variable the config names): it records the path and model LiteLLM called, and for Bedrock the
region the request was signed for. Network access other than 127.0.0.1 is blocked.
The servers stop when the run ends; a watchdog ends the process after `--deadline` seconds.
The result is JSON on stdout, keyed by config path and model group.
"""

import argparse
import asyncio
import re
import urllib.parse
import contextlib
import copy
import http.server
import json
import os
import random
import sys
import threading
import time

import netguard

os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"
os.environ.setdefault("LITELLM_TELEMETRY", "False")
netguard.install()

PROVIDER_KEYS = {
    "model",
    "model_id",
    "api_base",
    "api_version",
    "api_key",
    "aws_region_name",
    "vertex_project",
    "vertex_location",
}


class Mock:
    """One OpenAI-compatible server on 127.0.0.1 that names `deployment_id` in its answers."""

    def __init__(self, deployment_id):
        self.deployment_id = deployment_id
        # None (answer), or how to fail: "503", "context" (context window exceeded) or
        # "content" (content policy).
        self.failing = None
        self.hits = 0
        self.lock = threading.Lock()
        mock = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _send(self, status, body):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                request = json.loads(self.rfile.read(length) or b"{}")
                if self.path.endswith("/__mock/fail"):
                    mock.failing = request.get("mode", "503")
                    return self._send(200, {"failing": mock.failing})
                if self.path.endswith("/__mock/ok"):
                    mock.failing = None
                    return self._send(200, {"failing": None})
                if not self.path.endswith("/chat/completions"):
                    return self._send(404, {"error": {"message": f"no route {self.path}"}})
                with mock.lock:
                    mock.hits += 1
                if mock.failing == "context":
                    return self._send(
                        400,
                        {
                            "error": {
                                "message": "This model's maximum context length is 8 tokens; your messages resulted in 9 tokens.",
                                "type": "invalid_request_error",
                                "param": "messages",
                                "code": "context_length_exceeded",
                            }
                        },
                    )
                if mock.failing == "content":
                    return self._send(
                        400,
                        {
                            "error": {
                                "message": "Invalid prompt: your prompt was flagged as potentially violating our usage policy.",
                                "type": "invalid_request_error",
                                "param": "prompt",
                                "code": "content_policy_violation",
                            }
                        },
                    )
                if mock.failing:
                    return self._send(
                        503,
                        {"error": {"message": f"{mock.deployment_id} is unavailable", "type": "server_error"}},
                    )
                self._send(
                    200,
                    {
                        "id": f"chatcmpl-{mock.hits}",
                        "object": "chat.completion",
                        "created": int(time.time()),
                        "model": request.get("model", "mock"),
                        "choices": [
                            {
                                "index": 0,
                                "message": {"role": "assistant", "content": f"served by {mock.deployment_id}"},
                                "finish_reason": "stop",
                            }
                        ],
                        "usage": {"prompt_tokens": 5, "completion_tokens": 4, "total_tokens": 9},
                    },
                )

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


class Recorder:
    """A mock that records each request (path, model, signing region) and answers it in the
    shape the caller expects: Bedrock Converse for `/converse`, chat completions otherwise."""

    def __init__(self):
        self.seen = []
        recorder = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                request = json.loads(self.rfile.read(length) or b"{}")
                auth = self.headers.get("Authorization") or ""
                scope = re.search(r"Credential=[^/]+/\d+/([^/]+)/([^/]+)/", auth)
                recorder.seen.append(
                    {
                        "path": self.path,
                        "model": request.get("model"),
                        "signed_region": scope.group(1) if scope else None,
                        "signed_service": scope.group(2) if scope else None,
                    }
                )
                if self.path.endswith("/converse"):
                    body = {
                        "output": {"message": {"role": "assistant", "content": [{"text": "wire"}]}},
                        "stopReason": "end_turn",
                        "usage": {"inputTokens": 3, "outputTokens": 1, "totalTokens": 4},
                        "metrics": {"latencyMs": 1},
                    }
                else:
                    body = {
                        "id": "wire",
                        "object": "chat.completion",
                        "created": int(time.time()),
                        "model": request.get("model", "wire"),
                        "choices": [{"index": 0, "message": {"role": "assistant", "content": "wire"}, "finish_reason": "stop"}],
                        "usage": {"prompt_tokens": 3, "completion_tokens": 1, "total_tokens": 4},
                    }
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


async def wire_checks(litellm, cfg):
    """One request per Azure and Bedrock deployment as generated, endpoint moved to a recorder."""
    recorder = Recorder()
    os.environ["AWS_ACCESS_KEY_ID"] = "AKIAIOSFODNN7EXAMPLE"
    os.environ["AWS_SECRET_ACCESS_KEY"] = "wire-test-secret"
    results = []
    try:
        for d in cfg["model_list"]:
            if "@" in d["model_name"]:
                continue
            params = copy.deepcopy(d["litellm_params"])
            model = params["model"]
            entry = {"id": d["model_info"]["id"], "model": model}
            if model.startswith("azure/"):
                entry["expected_path"] = "/openai/v1/chat/completions" if params.get("api_version") == "v1" else None
                entry["expected_model"] = model[len("azure/") :]
                params["api_base"] = recorder.url + "/"
                params["api_key"] = "wire-test-key"
            elif model.startswith("bedrock/"):
                var = params["model_id"][len("os.environ/") :]
                region = params["aws_region_name"]
                arn = f"arn:aws:bedrock:{region}:000000000000:application-inference-profile/{var.lower().replace('_', '')}"
                os.environ[var] = arn
                entry["expected_path"] = "/model/" + urllib.parse.quote(arn, safe="") + "/converse"
                entry["expected_region"] = region
                params["aws_bedrock_runtime_endpoint"] = recorder.url
            else:
                continue
            router = litellm.Router(
                model_list=[{"model_name": "wire", "litellm_params": params, "model_info": copy.deepcopy(d["model_info"])}]
            )
            before = len(recorder.seen)
            await router.acompletion(model="wire", messages=MESSAGES)
            entry["requests"] = recorder.seen[before:]
            results.append(entry)
    finally:
        recorder.stop()
    return results


def mock_config(cfg, mocks):
    """The config with every deployment pointed at its mock (test-only rewrite)."""
    out = copy.deepcopy(cfg)
    for i, d in enumerate(out["model_list"]):
        mock = mocks[d["model_info"]["id"]]
        params = {k: v for k, v in d["litellm_params"].items() if k not in PROVIDER_KEYS}
        params["model"] = f"openai/mock-{i}"
        params["api_base"] = f"http://127.0.0.1:{mock.port}/v1"
        params["api_key"] = "mock-key"
        d["litellm_params"] = params
    return out


def orders_of(cfg, group):
    orders = {}
    for d in cfg["model_list"]:
        if d["model_name"] == group:
            orders.setdefault(d["litellm_params"]["order"], []).append(
                (d["model_info"]["id"], d["litellm_params"]["weight"])
            )
    return dict(sorted(orders.items()))


MESSAGES = [{"role": "user", "content": "Which deployment answers?"}]


async def ask(router, group):
    response = await router.acompletion(model=group, messages=MESSAGES)
    served = response._hidden_params.get("model_id")
    text = response.choices[0].message.content
    if text != f"served by {served}":
        raise AssertionError(f"model_id {served!r} but the answer came from {text!r}")
    return served


async def fresh_router(litellm, cfg):
    """A router built by the proxy's loader from `cfg` written to a file."""
    import tempfile

    import yaml
    from litellm.proxy.proxy_server import ProxyConfig

    os.environ.setdefault("LITELLM_MASTER_KEY", "sk-e2e-master-key")
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False, encoding="utf-8") as f:
        yaml.safe_dump(cfg, f)
        path = f.name
    try:
        router, _models, _settings = await ProxyConfig().load_config(router=None, config_file_path=path)
    finally:
        os.unlink(path)
    litellm.enable_azure_ad_token_refresh = False
    if router is None or len(router.model_list) != len(cfg["model_list"]):
        raise AssertionError("the proxy loader did not keep every deployment")
    return router


async def run_group(litellm, cfg, mocks, group, seed, requests):
    orders = orders_of(cfg, group)
    levels = list(orders)
    strategy = (await fresh_router(litellm, cfg))._get_routing_context(group)[0]
    result = {"strategy": strategy, "orders": {str(o): [i for i, _ in ds] for o, ds in orders.items()}}
    # Per-token list prices (input + output) where the config sets them: cost routing's key.
    result["costs"] = {
        d["model_info"]["id"]: d["litellm_params"]["input_cost_per_token"] + d["litellm_params"]["output_cost_per_token"]
        for d in cfg["model_list"]
        if d["model_name"] == group and "input_cost_per_token" in d["litellm_params"]
    }

    def set_failing(ids, mode="503"):
        for m in mocks.values():
            m.failing = mode if m.deployment_id in ids else None
            m.hits = 0

    set_failing(set())
    result["primary"] = {"served": await ask(await fresh_router(litellm, cfg), group), "expected": [i for i, _ in orders[levels[0]]]}

    if len(levels) > 1:
        first = {i for i, _ in orders[levels[0]]}
        # The failover copies of the model fail too: only the model's own tiers may serve.
        set_failing(first | {f"{i}@failover" for i in first})
        t0 = time.monotonic()
        router = await fresh_router(litellm, cfg)
        served = await ask(router, group)
        tried = sum(mocks[i].hits for i in first)
        # Later requests on the same router: once every failing deployment has failed more
        # often than the allowed-fails policy admits, it is cooled down and not tried.
        later = []
        cooled_after = None
        for n in range(1, 9):
            for m in mocks.values():
                m.hits = 0
            later.append(await ask(router, group))
            if sum(mocks[i].hits for i in first) == 0:
                cooled_after = n
                break
        result["failover"] = {
            "served": served,
            "expected": [i for i, _ in orders[levels[1]]],
            "tried_failing": tried,
            "later_served": later,
            "cooled_after": cooled_after,
            "seconds": round(time.monotonic() - t0, 3),
        }

    # Context-window and content-policy errors do not fail over by order: the config sends them
    # to the failover groups `<model>@<tier>`, whose deployments are copies (`<id>@failover`).
    settings = cfg.get("router_settings") or {}
    for kind, mode in (("context_window_fallbacks", "context"), ("content_policy_fallbacks", "content")):
        targets = [t for e in settings.get(kind) or [] for t in e.get(group, [])]
        if not targets or len(levels) < 2:
            continue
        first = {i for i, _ in orders[levels[0]]}
        set_failing(first, mode)
        served = await ask(await fresh_router(litellm, cfg), group)
        result[kind] = {
            "served": served,
            "expected": [f"{i}@failover" for i, _ in orders[levels[1]]],
            "tried_failing": sum(mocks[i].hits for i in first),
            "groups": targets,
        }

    result["weights"] = []
    if strategy == "simple-shuffle":
        for n, level in enumerate(levels):
            deployments = orders[level]
            if len(deployments) < 2:
                continue
            failing = {i for lv in levels[:n] for i, _ in orders[lv]}
            set_failing(failing)
            router = await fresh_router(litellm, cfg)
            random.seed(seed)
            counts = {i: 0 for i, _ in deployments}
            t0 = time.monotonic()
            for _ in range(requests):
                counts[await ask(router, group)] += 1
            total = sum(w for _, w in deployments)
            result["weights"].append(
                {
                    "order": level,
                    "requests": requests,
                    "expected": {i: w / total for i, w in deployments},
                    "observed": {i: c / requests for i, c in counts.items()},
                    "seconds": round(time.monotonic() - t0, 3),
                }
            )
    set_failing(set())
    return result


async def main(args):
    import yaml
    import litellm

    results = {}
    for path in args.configs:
        cfg = yaml.safe_load(open(path, encoding="utf-8").read())
        mocks = {d["model_info"]["id"]: Mock(d["model_info"]["id"]) for d in cfg["model_list"]}
        try:
            test_cfg = mock_config(cfg, mocks)
            groups = sorted({d["model_name"] for d in cfg["model_list"] if "@" not in d["model_name"]})
            per_group = {}
            with contextlib.redirect_stdout(sys.stderr):
                for group in groups:
                    per_group[group] = await run_group(litellm, test_cfg, mocks, group, args.seed, args.requests)
                per_group_wire = await wire_checks(litellm, cfg)
            results[path] = per_group
            results[path + "#wire"] = per_group_wire
        finally:
            for m in mocks.values():
                m.stop()
    results["blocked_network"] = list(netguard.BLOCKED)
    print(json.dumps(results, ensure_ascii=True, sort_keys=True))


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=20261125)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--deadline", type=float, default=300.0)
    parser.add_argument("configs", nargs="+")
    args = parser.parse_args()
    watchdog = threading.Timer(args.deadline, lambda: (print(f"e2e.py: deadline of {args.deadline}s passed", file=sys.stderr), os._exit(3)))
    watchdog.daemon = True
    watchdog.start()
    asyncio.run(main(args))
    watchdog.cancel()
