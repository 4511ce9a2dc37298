#!/usr/bin/env python3
"""Write one large, valid Meridian spec for benchmarks.

    python3 tests/bench/gen_spec.py --targets 10000 --out /tmp/big.hcl

The spec has the shape of a large organisation's: a few accounts per cloud, one European
(EEA and Switzerland) and one US residency rule, variables and locals used through references and template strings, and
about N / 10 logical models with 2-3 tiers of up to 4 active-active targets each, spread
over Azure OpenAI, AWS Bedrock and Vertex AI. Every target uses a model id, region and
processing mode from the built-in catalog that complies with its model's residency rule,
every model fails over to another cloud and survives the loss of any one provider or
region, so `meridian validate` has to do all of its work and should report nothing.

The output is a pure function of the arguments (the random generator is seeded).
Standard library only.
"""

import argparse
import random
import sys

# ---------------------------------------------------------------------------------------
# Targets that comply with each residency rule, as (cloud, model id, version, region,
# processing, billing, context window, capabilities). Only current catalog models (not
# retired, not retiring within months). The European rule allows the EEA and Switzerland:
# Azure's EU Data Zone (which includes Norway and Switzerland) and Bedrock `eu.` profiles
# called from Zurich qualify, but no profile that may process in London (eu-west-2): the
# Claude Sonnet/Haiku 4.5 and Nova `eu.` profiles from any source other than eu-west-2.
# ---------------------------------------------------------------------------------------

ALL_CAPS = {"chat", "tools", "vision", "json", "reasoning"}
NO_REASONING = ALL_CAPS - {"reasoning"}

# (model id, version or None, context window, capabilities)
GPT_5_1 = ("gpt-5.1", "2025-11-13", 400000, ALL_CAPS)
GPT_5_4 = ("gpt-5.4", "2026-03-05", 400000, ALL_CAPS)
SONNET = ("anthropic.claude-sonnet-4-5-20250929-v1:0", None, 200000, ALL_CAPS)
HAIKU = ("anthropic.claude-haiku-4-5-20251001-v1:0", None, 200000, ALL_CAPS)
SONNET_4_6 = ("anthropic.claude-sonnet-4-6", None, 1000000, ALL_CAPS)
OPUS_4_6 = ("anthropic.claude-opus-4-6-v1", None, 1000000, ALL_CAPS)
NOVA_PRO = ("amazon.nova-pro-v1:0", None, 300000, NO_REASONING)
NOVA_LITE = ("amazon.nova-lite-v1:0", None, 300000, NO_REASONING)
NOVA_MICRO = ("amazon.nova-micro-v1:0", None, 128000, NO_REASONING - {"vision"})
LLAMA = ("meta.llama3-3-70b-instruct-v1:0", None, 128000, NO_REASONING - {"vision"})
GEMINI_FLASH = ("gemini-3.5-flash", None, 1048576, ALL_CAPS)
GEMINI_LITE = ("gemini-3.1-flash-lite", None, 1048576, ALL_CAPS)
V_SONNET = ("claude-sonnet-4-5@20250929", None, 200000, ALL_CAPS)
V_HAIKU = ("claude-haiku-4-5@20251001", None, 200000, ALL_CAPS)
V_SONNET_4_6 = ("claude-sonnet-4-6", None, 1000000, ALL_CAPS)
V_OPUS_4_6 = ("claude-opus-4-6", None, 1000000, ALL_CAPS)

EU_BEDROCK_SOURCES = ["eu-central-1", "eu-north-1", "eu-south-1", "eu-south-2", "eu-west-1", "eu-west-3"]
EU_AZURE_PTU = ["swedencentral"]
US_AZURE_PTU = ["eastus2"]
EU_VERTEX = ["europe-west1", "europe-west3", "europe-west4", "europe-west8", "europe-west9", "europe-north1"]
US_AZURE = ["eastus", "eastus2", "centralus", "northcentralus", "southcentralus", "westus", "westus3"]
US_VERTEX = ["us-central1", "us-east1", "us-east4", "us-east5", "us-south1", "us-west1"]

# [(model, region, processing[, billing])] per residency rule and cloud.
OFFERS = {
    "eu": {
        "azure": [(GPT_5_1, r, "geography") for r in ["swedencentral", "francecentral"]]
        + [(GPT_5_1, "swedencentral", "region")]
        + [(GPT_5_1, r, "geography", "provisioned") for r in EU_AZURE_PTU],
        "aws": [(m, r, "geography") for m in (SONNET, HAIKU, NOVA_PRO, NOVA_LITE, NOVA_MICRO) for r in EU_BEDROCK_SOURCES]
        + [(m, "eu-central-2", "geography") for m in (SONNET, HAIKU)]
        + [(HAIKU, r, "region") for r in ["eu-west-1", "eu-north-1"]],
        # Claude's regional endpoint europe-west1 carries no in-location processing guarantee
        # either (Google's data-residency page): an EU rule is met through the eu multi-region.
        "gcp": [(m, r, "geography") for m in (GEMINI_FLASH, GEMINI_LITE, V_SONNET, V_HAIKU, V_SONNET_4_6, V_OPUS_4_6) for r in EU_VERTEX],
    },
    "us": {
        "azure": [(m, r, "geography") for m in (GPT_5_1, GPT_5_4) for r in US_AZURE]
        + [(GPT_5_1, r, "region") for r in US_AZURE]
        + [(GPT_5_1, r, "geography", "provisioned") for r in US_AZURE_PTU],
        "aws": [(m, r, "geography") for m in (SONNET, HAIKU, SONNET_4_6, OPUS_4_6) for r in ["us-east-1", "us-east-2", "us-west-2"]]
        + [(m, r, "geography") for m in (NOVA_PRO, NOVA_LITE, NOVA_MICRO, LLAMA) for r in ["us-east-1", "us-east-2", "us-west-2"]]
        + [(HAIKU, "us-east-1", "region"), (NOVA_PRO, "us-east-1", "region"), (NOVA_LITE, "us-east-1", "region"), (LLAMA, "us-east-2", "region")],
        # Claude's regional endpoint us-east5 carries no in-location processing guarantee
        # (Google's data-residency page), so a US rule is met through the us multi-region.
        "gcp": [(m, r, "geography") for m in (GEMINI_FLASH, GEMINI_LITE, V_SONNET, V_HAIKU, V_SONNET_4_6, V_OPUS_4_6) for r in US_VERTEX],
    },
}

# Share of targets per cloud.
CLOUD_WEIGHTS = {"aws": 0.36, "azure": 0.34, "gcp": 0.30}


def offer_target(cloud, offer):
    (model_id, version, context, caps), region, processing = offer[:3]
    billing = offer[3] if len(offer) > 3 else "on_demand"
    return (cloud, model_id, version, region, processing, billing, context, caps)


POOLS = {geo: [offer_target(c, o) for c, offers in clouds.items() for o in offers] for geo, clouds in OFFERS.items()}

# Model profiles: capabilities every target must have, minimum context.
PROFILES = [
    ("chat", ["chat"], 128000),
    ("agent", ["chat", "tools"], 128000),
    ("vision", ["chat", "vision"], 128000),
    ("long-context", ["chat", "tools"], 200000),
]

TASKS = ["support", "search", "summaries", "drafting", "extraction", "triage", "coding", "review"]
TEAMS = ["retail", "payments", "risk", "claims", "hr", "legal", "sales", "ops", "research", "finance"]

SHORT = {"azure": "aoai", "aws": "bedrock", "gcp": "vertex"}


def quote(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def provider_blocks(geos):
    """One account per cloud for each residency geography that has models."""
    blocks = []
    for geo in ("eu", "us"):
        if geo not in geos:
            continue
        blocks.append(
            f"""provider "azure" "{geo}" {{
  subscription_id = var.azure_{geo}_subscription_id
  resource_group  = "rg-${{var.org}}-{geo}-${{local.rg_suffix}}"
}}

provider "aws" "{geo}" {{
  account_id = var.aws_{geo}_account_id
}}

provider "gcp" "{geo}" {{
  project = local.gcp_{geo}_project
}}

"""
        )
    return "".join(blocks)


def header(out, n_models, geos):
    out.append(
        """# Generated benchmark spec: {n} models over Azure OpenAI, AWS Bedrock and Vertex AI.

meridian {{
  name         = "bench-fleet"
  default_tags = merge(local.tags, {{ environment = var.environment }})
}}

variable "environment" {{
  type    = string
  default = "prod"
}}

variable "org" {{
  type        = string
  description = "Short organisation name used in resource names."
  default     = "acme"
}}

variable "aws_eu_account_id" {{
  type    = string
  default = "310928475612"
}}

variable "aws_us_account_id" {{
  type    = string
  default = "402817365920"
}}

variable "azure_eu_subscription_id" {{
  type    = string
  default = "3a7c5e91-0b2d-4f68-9c14-7e6d2a8b5f03"
}}

variable "azure_us_subscription_id" {{
  type    = string
  default = "b41e9d07-6c25-4a83-8f1b-2d0c7a5e9b64"
}}

locals {{
  tags = {{
    cost_center = "cc-9000"
    owner       = "ai-platform"
  }}
  rg_suffix = "ai-${{var.environment}}"
}}

locals {{
  gcp_eu_project = "${{var.org}}-ai-eu-${{var.environment}}"
  gcp_us_project = "${{var.org}}-ai-us-${{var.environment}}"
}}

{providers}residency "eu" {{
  geographies = ["eea"]
  countries   = ["CH"]
  processing  = "geography"
}}

residency "us" {{
  countries  = ["US"]
  processing = "geography"
}}

policy {{
  require_residency         = true
  required_tags             = ["cost_center", "owner"]
  min_tiers                 = 2
  failover_across_providers = true
  allowed_processing        = ["region", "geography"]
  survive_single_failure    = true
}}

emit "terraform" {{
  path = "generated/terraform"
}}

emit "pulumi" {{
  path     = "generated/pulumi"
  language = "typescript"
}}

emit "litellm" {{
  path = "generated/router/litellm.yaml"
}}
""".format(n=n_models, providers=provider_blocks(geos))
    )


def eligible(pool, caps, context):
    need = set(caps) - {"chat"}
    return [t for t in pool if need <= t[7] and t[6] >= context]


def pick_tier(rng, candidates, size, must_clouds, only_clouds, used):
    """Pick `size` distinct targets from `candidates`: every cloud of `must_clouds` appears,
    nothing outside `only_clouds` (when given) is used, clouds are drawn by CLOUD_WEIGHTS,
    and targets an earlier tier of the model already uses are taken only when nothing else
    is left."""
    by_cloud = {}
    for t in candidates:
        if only_clouds is None or t[0] in only_clouds:
            by_cloud.setdefault(t[0], []).append(t)
    chosen = []

    def take(cloud):
        options = [t for t in by_cloud.get(cloud, []) if t not in chosen]
        fresh = [t for t in options if t not in used]
        if not options:
            return False
        chosen.append(rng.choice(fresh or options))
        return True

    for cloud in sorted(must_clouds):
        if not take(cloud):
            raise SystemExit(f"gen_spec: no {cloud} target in the pool")
    while len(chosen) < size:
        clouds = [c for c in sorted(by_cloud) if any(t not in chosen for t in by_cloud[c])]
        if not clouds:
            raise SystemExit("gen_spec: the pool is too small for a tier of this size")
        take(rng.choices(clouds, weights=[CLOUD_WEIGHTS[c] for c in clouds])[0])
    return chosen


def model_block(out, rng, index, geo, tier_sizes):
    kind, caps, context = PROFILES[index % len(PROFILES)]
    team = TEAMS[rng.randrange(len(TEAMS))]
    task = TASKS[rng.randrange(len(TASKS))]
    name = f"{team}-{task}-{geo}-{index:05d}"
    candidates = eligible(POOLS[geo], caps, context)

    lines = [
        f'model "{name}" {{',
        f'  description  = "${{var.org}} {team} {task} ({kind}, {geo.upper()} users)"',
        f"  task         = {quote(task)}",
        "  capabilities = [" + ", ".join(quote(c) for c in caps) + "]",
        f"  context      = {context}",
        f"  residency    = residency.{geo}",
        f'  strategy     = "{rng.choice(["priority", "priority", "cost", "latency"])}"',
    ]

    # The primary tier spans two clouds (so losing one provider or region leaves it
    # serving); the first failover tier brings in the third cloud.
    pairs = []
    for third in ("aws", "azure", "gcp"):
        pair = {"aws", "azure", "gcp"} - {third}
        if sum(1 for t in candidates if t[0] in pair) >= tier_sizes[0]:
            pairs.append((pair, third))
    if not pairs:
        raise SystemExit(f"gen_spec: the pool cannot fill a primary tier of {tier_sizes[0]}")
    primary, third = pairs[rng.randrange(len(pairs))]
    used = []
    names = {}
    for t_index, size in enumerate(tier_sizes):
        tier_name = ["primary", "secondary", "tertiary"][t_index]
        if t_index == 0:
            chosen = pick_tier(rng, candidates, size, primary, primary, used)
        elif t_index == 1:
            chosen = pick_tier(rng, candidates, size, {third}, None, used)
        else:
            chosen = pick_tier(rng, candidates, size, set(), None, used)
        used.extend(chosen)
        lines.append("")
        lines.append(f'  tier "{tier_name}" {{')
        for cloud, model_id, version, region, processing, billing, _ctx, _caps in chosen:
            base = f"{SHORT[cloud]}-{region}"
            names[base] = names.get(base, 0) + 1
            tname = base if names[base] == 1 else f"{base}-{names[base]}"
            lines.append(f'    target "{tname}" {{')
            lines.append(f"      provider   = provider.{cloud}.{geo}")
            lines.append(f"      model      = {quote(model_id)}")
            if version:
                lines.append(f"      version    = {quote(version)}")
            lines.append(f"      region     = {quote(region)}")
            lines.append(f"      processing = {quote(processing)}")
            if billing == "provisioned":
                lines.append('      billing    = "provisioned"')
                lines.append(f"      capacity   = {rng.choice([15, 25, 50, 100])}")
            elif cloud == "azure":
                lines.append(f"      capacity   = {rng.choice([50, 100, 150, 250])}")
            lines.append("    }")
        lines.append("  }")

    if rng.random() < 0.6:
        lines.append("")
        lines.append("  failover {")
        lines.append('    on       = ["rate_limit", "server_error", "timeout"]')
        lines.append(f"    retries  = {rng.choice([1, 2, 3])}")
        lines.append(f'    timeout  = "{rng.choice([20, 30, 60])}s"')
        lines.append('    cooldown = "60s"')
        lines.append("  }")

    lines.append("")
    lines.append("  usage {")
    lines.append(f"    input_tokens_per_month  = {rng.randrange(1, 200) * 1000000}")
    lines.append(f"    output_tokens_per_month = {rng.randrange(1, 40) * 1000000}")
    lines.append("  }")
    lines.append("}")
    lines.append("")
    out.append("\n".join(lines))
    return name


def access_blocks(out, names_by_geo):
    accounts = {"eu": "var.aws_eu_account_id", "us": "var.aws_us_account_id"}
    projects = {"eu": "local.gcp_eu_project", "us": "local.gcp_us_project"}
    for geo, names in names_by_geo.items():
        for chunk_index in range(0, len(names), 100):
            chunk = names[chunk_index : chunk_index + 100]
            n = chunk_index // 100
            app = f"app-{geo}-{n:03d}"
            # Deterministic, well-formed Entra object id per access block.
            oid = f"{0x1a2b3c4d + n:08x}-{0x4e5f:04x}-4{n % 0xfff:03x}-8{(n * 7) % 0xfff:03x}-{0x0123456789ab + n:012x}"
            out.append(
                "\n".join(
                    [
                        f'access "{app}" {{',
                        "  models = [",
                        *[f"    model.{m}," for m in chunk],
                        "  ]",
                        f'  aws   = ["arn:aws:iam::${{{accounts[geo]}}}:role/{app}"]',
                        f'  azure = ["{oid}"]',
                        f'  gcp   = ["serviceAccount:{app}@${{{projects[geo]}}}.iam.gserviceaccount.com"]',
                        "}",
                        "",
                    ]
                )
            )


def split(total, parts):
    """`total` targets over `parts` tiers, as evenly as possible, larger tiers first."""
    return [total // parts + (1 if i < total % parts else 0) for i in range(parts)]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--targets", type=int, default=10000, help="number of targets (default 10000)")
    parser.add_argument("--out", required=True, help="file to write, or - for stdout")
    parser.add_argument("--seed", type=int, default=20250929, help="random seed (default 20250929)")
    parser.add_argument("--per-tier", type=int, default=4, help="targets per tier (default 4)")
    args = parser.parse_args()
    if args.per_tier < 3 or args.targets < 2 * args.per_tier:
        parser.error("--per-tier must be at least 3 and --targets at least twice --per-tier")

    rng = random.Random(args.seed)

    # Tier layout per model: 2 or 3 tiers of `per_tier` targets. Near the end the sizes are
    # adjusted so that the total is exactly --targets.
    per = args.per_tier
    layouts = []
    remaining = args.targets
    while remaining > 0:
        tiers = rng.choice([2, 3, 3])
        left = remaining - tiers * per
        if left == 0 or left >= 2 * per:
            layouts.append([per] * tiers)
        elif remaining <= 3 * per:
            layouts.append(split(remaining, max(2, -(-remaining // per))))
        elif remaining < 4 * per:
            layouts.append(split(remaining - 2 * per, 2))
        else:
            layouts.append([per, per])
        remaining -= sum(layouts[-1])

    # Three models in five serve European users, two US users.
    geos = ["us" if index % 5 in (1, 3) else "eu" for index in range(len(layouts))]
    out = []
    header(out, len(layouts), set(geos))
    names = {"eu": [], "us": []}
    for index, (sizes, geo) in enumerate(zip(layouts, geos)):
        names[geo].append(model_block(out, rng, index, geo, sizes))
    access_blocks(out, names)

    text = "\n".join(out)
    if args.out == "-":
        sys.stdout.write(text)
    else:
        with open(args.out, "w", encoding="utf-8") as f:
            f.write(text)
    total = sum(sum(s) for s in layouts)
    print(f"gen_spec: {len(layouts)} models, {total} targets, {len(text.encode())} bytes", file=sys.stderr)


if __name__ == "__main__":
    main()
