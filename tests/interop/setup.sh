#!/usr/bin/env bash
# Installs the pinned ecosystem tools that Meridian's interop tests run on generated files,
# all inside tests/interop/, then checks that each one works, offline:
#
#   node_modules/   npm ci from package-lock.json: typescript (tsc), @pulumi/* type packages,
#                   @cdktf/hcl2json (HashiCorp's HCL parser, used through hcl2json.mjs)
#   .venv/          litellm[proxy] from requirements.txt (used through litellm_check.py)
#   .venv-checkov/  checkov from requirements-checkov.txt (it cannot share a venv with litellm);
#                   its dependency jsonschema validates SARIF against schema/sarif-schema-2.1.0.json
#   chromium, jq    Debian's packages, installed with apt-get (as root) when missing: chromium
#                   renders `meridian report --format html` headless, offline; jq runs the SARIF
#                   to Code Quality conversion of examples/ci/gitlab/.gitlab-ci.yml
#
# Usage: tests/interop/setup.sh [--force]
# Idempotent: when everything is installed and was verified for the current lock files,
# requirement files and scripts, it returns at once. --force reinstalls everything.
# Exits non-zero, naming the tool, when an install or a check fails.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$HERE"

FORCE=0
for arg in "$@"; do
  case "$arg" in
    --force) FORCE=1 ;;
    -h | --help)
      sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *)
      echo "setup.sh: unknown argument: $arg" >&2
      exit 2
      ;;
  esac
done

die() {
  echo "interop setup: FAILED: $*" >&2
  exit 1
}
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1fs", b - a }'; }

# Keep every tool offline: no remote model cost map for LiteLLM, no Prisma Cloud download or
# PyPI update check for checkov. The Rust tests must set the same variables.
export LITELLM_LOCAL_MODEL_COST_MAP=True
export BC_SKIP_MAPPING=TRUE
export CKV_SKIP_PACKAGE_UPDATE_CHECK=true
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1
export npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false

# ---- prerequisites ---------------------------------------------------------------------------
command -v node >/dev/null || die "node is not installed (need node >= 20)"
command -v npm >/dev/null || die "npm is not installed"
command -v python3 >/dev/null || die "python3 is not installed (need 3.10-3.14)"
python3 -c 'import sys; sys.exit(0 if (3, 10) <= sys.version_info[:2] <= (3, 14) else 1)' ||
  die "python3 $(python3 -V 2>&1) is not supported by litellm 1.108.7 (need 3.10-3.14)"
node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)' ||
  die "node $(node --version) is too old (need >= 20)"

# One setup at a time (parallel test threads or test binaries may all call this script).
if command -v flock >/dev/null; then
  exec 9>"$HERE/.setup.lock"
  flock 9
fi

hash_of() { cat "$@" | sha256sum | cut -d' ' -f1; }
CHROMIUM=/usr/bin/chromium
SARIF_SCHEMA="$HERE/../../schema/sarif-schema-2.1.0.json"
[[ -f $SARIF_SCHEMA ]] || die "sarif: $SARIF_SCHEMA is missing"
PY_ID="$(python3 -c 'import sys; print(sys.executable, sys.version)')"
NODE_ID="$(node --version)"
NPM_HASH="$(
  hash_of package.json package-lock.json
  echo "$NODE_ID"
)"
VENV_HASH="$(
  hash_of requirements.txt
  echo "$PY_ID"
)"
CKV_HASH="$(
  hash_of requirements-checkov.txt
  echo "$PY_ID"
)"
NPM_STAMP=node_modules/.meridian-interop-stamp
VENV_STAMP=.venv/.meridian-interop-stamp
CKV_STAMP=.venv-checkov/.meridian-interop-stamp
# The whole setup (installs + checks) is current when this matches.
ALL_HASH="$(
  echo "$NPM_HASH" "$VENV_HASH" "$CKV_HASH"
  hash_of setup.sh hcl2json.mjs litellm_check.py "$SARIF_SCHEMA"
)"
ALL_STAMP=.setup-ok

stamp_ok() { [[ -f "$1" && "$(cat "$1")" == "$2" ]]; }

if [[ $FORCE == 0 ]] && stamp_ok "$ALL_STAMP" "$ALL_HASH" && stamp_ok "$NPM_STAMP" "$NPM_HASH" &&
  stamp_ok "$VENV_STAMP" "$VENV_HASH" && stamp_ok "$CKV_STAMP" "$CKV_HASH" && [[ -x $CHROMIUM ]] &&
  command -v jq >/dev/null; then
  echo "interop setup: tools up to date in $HERE"
  exit 0
fi
rm -f "$ALL_STAMP"

# ---- install (the three installs run in parallel; logs in .setup-logs/) -----------------------
LOGS="$HERE/.setup-logs"
rm -rf "$LOGS"
mkdir -p "$LOGS"
T_INSTALL="$(now)"

install_npm() {
  npm ci --ignore-scripts --no-audit --no-fund &&
    echo "$NPM_HASH" >"$NPM_STAMP"
}
install_venv() { # DIR REQUIREMENTS HASH
  rm -rf "$1" &&
    python3 -m venv "$1" &&
    "$1/bin/python" -m pip install --prefer-binary --progress-bar off -r "$2" &&
    echo "$3" >"$1/.meridian-interop-stamp"
}

declare -A PIDS=() LOGFILE=()
run_bg() { # NAME, then the command; output to .setup-logs/NAME.log
  local name="$1" start
  shift
  start="$(now)"
  LOGFILE[$name]="$LOGS/$name.log"
  (
    if "$@"; then
      echo "ok, took $(elapsed "$start")"
    else
      rc=$?
      echo "FAILED with status $rc after $(elapsed "$start")"
      exit "$rc"
    fi
  ) >"${LOGFILE[$name]}" 2>&1 &
  PIDS[$name]=$!
}
if [[ $FORCE == 1 ]] || ! stamp_ok "$NPM_STAMP" "$NPM_HASH"; then
  echo "interop setup: installing node_modules (npm ci) ..."
  run_bg npm install_npm
fi
if [[ $FORCE == 1 ]] || ! stamp_ok "$VENV_STAMP" "$VENV_HASH"; then
  echo "interop setup: installing .venv (litellm, requirements.txt) ..."
  run_bg venv-litellm install_venv .venv requirements.txt "$VENV_HASH"
fi
if [[ $FORCE == 1 ]] || ! stamp_ok "$CKV_STAMP" "$CKV_HASH"; then
  echo "interop setup: installing .venv-checkov (checkov, requirements-checkov.txt) ..."
  run_bg venv-checkov install_venv .venv-checkov requirements-checkov.txt "$CKV_HASH"
fi
# Debian's chromium and jq, only when missing (never upgraded or removed here).
DEBS=()
[[ -x $CHROMIUM ]] || DEBS+=(chromium)
command -v jq >/dev/null || DEBS+=(jq)
install_debs() {
  export DEBIAN_FRONTEND=noninteractive
  { apt-get install -y --no-install-recommends "${DEBS[@]}" ||
    { apt-get update && apt-get install -y --no-install-recommends "${DEBS[@]}"; }; } &&
    apt-get clean # the downloaded .deb files are not needed once installed
}
if ((${#DEBS[@]})); then
  command -v apt-get >/dev/null ||
    die "${DEBS[*]}: missing, and apt-get is not available (install Debian's ${DEBS[*]} packages)"
  [[ $(id -u) == 0 ]] ||
    die "${DEBS[*]}: missing; as root run: apt-get install -y --no-install-recommends ${DEBS[*]}"
  echo "interop setup: installing ${DEBS[*]} (apt-get) ..."
  run_bg debian install_debs
fi

failed=()
for name in "${!PIDS[@]}"; do
  wait "${PIDS[$name]}" || failed+=("$name")
done
for name in "${!PIDS[@]}"; do
  echo "interop setup: install $name: $(tail -n 1 "${LOGFILE[$name]}")"
done
if ((${#failed[@]})); then
  for name in "${failed[@]}"; do
    echo "---- last lines of ${LOGFILE[$name]}" >&2
    tail -n 40 "${LOGFILE[$name]}" >&2
  done
  die "install of ${failed[*]} failed (full logs in $LOGS)"
fi
if ((${#PIDS[@]})); then
  echo "interop setup: installs done in $(elapsed "$T_INSTALL")"
fi

# ---- versions --------------------------------------------------------------------------------
TSC="$HERE/node_modules/.bin/tsc"
CHECKOV="$HERE/.venv-checkov/bin/checkov"
PY="$HERE/.venv/bin/python"
CKV_PY="$HERE/.venv-checkov/bin/python"
[[ -x $CHROMIUM ]] || die "chromium: $CHROMIUM is missing"
command -v jq >/dev/null || die "jq: not on PATH"
[[ -x $TSC ]] || die "typescript: $TSC is missing"
[[ -x $CHECKOV ]] || die "checkov: $CHECKOV is missing"
[[ -x $PY ]] || die "litellm: $PY is missing"

v_tsc="$("$TSC" --version)" || die "typescript: tsc --version failed"
v_hcl="$(node -p 'require("@cdktf/hcl2json/package.json").version')" ||
  die "@cdktf/hcl2json: cannot read its version"
v_ckv="$("$CHECKOV" --version)" || die "checkov: checkov --version failed"
v_llm="$("$PY" -c 'import importlib.metadata as m; print(m.version("litellm"))')" ||
  die "litellm: not importable metadata"
v_pul="$(node -p '["pulumi","aws","azure-native","gcp"].map(p => p + " " + require("@pulumi/" + p + "/package.json").version).join(", ")')"
echo "interop setup: tsc: $v_tsc; @cdktf/hcl2json $v_hcl; checkov $v_ckv; litellm $v_llm"
echo "interop setup: @pulumi/: $v_pul"
v_chr="$("$CHROMIUM" --version 2>/dev/null)" || die "chromium: chromium --version failed"
v_js="$("$CKV_PY" -c 'import importlib.metadata as m; print(m.version("jsonschema"))')" ||
  die "jsonschema: not importable in .venv-checkov"
v_jq="$(jq --version)" || die "jq: jq --version failed"
v_yaml="$("$PY" -c 'import yaml; print(yaml.__version__)')" || die "PyYAML: not importable in .venv"
echo "interop setup: $v_chr; jsonschema $v_js (.venv-checkov); $v_jq; PyYAML $v_yaml (.venv)"

# ---- checks ------------------------------------------------------------------------------------
WORK="$(mktemp -d "${TMPDIR:-/tmp}/meridian-interop-check.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
check() { # NAME, then the command
  local name="$1" start
  shift
  start="$(now)"
  if ! "$@" >"$LOGS/check-$name.log" 2>&1; then
    echo "---- last lines of $LOGS/check-$name.log" >&2
    tail -n 40 "$LOGS/check-$name.log" >&2
    die "$name check failed"
  fi
  echo "interop setup: check $name ok ($(elapsed "$start"))"
}

# hcl2json: a small .tf parses to the expected JSON, and a broken one is rejected.
mkdir -p "$WORK/tf"
cat >"$WORK/tf/main.tf" <<'EOF'
terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "~> 5.0" }
  }
}
variable "name" {
  type = string
}
resource "aws_s3_bucket" "b" {
  bucket = "meridian-${var.name}"
  tags   = { owner = "meridian" }
}
EOF
printf 'resource "aws_s3_bucket" "b" {\n  bucket = \n}\n' >"$WORK/broken.tf"
check_hcl2json() {
  node "$HERE/hcl2json.mjs" "$WORK/tf/main.tf" >"$WORK/main.tf.json" || return 1
  node -e '
    const j = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const b = j.resource.aws_s3_bucket.b[0];
    if (b.bucket !== "meridian-${var.name}") throw new Error("unexpected JSON: " + JSON.stringify(j));
    console.log("parsed:", JSON.stringify(j));
  ' "$WORK/main.tf.json" || return 1
  if node "$HERE/hcl2json.mjs" "$WORK/broken.tf"; then
    echo "a broken .tf file was accepted"
    return 1
  fi
}
check hcl2json check_hcl2json

# checkov: scans a directory with one resource; exit 0 (all passed) or 1 (some failed) with a
# JSON report that counts the resource and no parsing errors.
check_checkov() {
  local rc=0
  "$CHECKOV" -d "$WORK/tf" --framework terraform --quiet --compact -o json --skip-download \
    >"$WORK/checkov.json" || rc=$?
  echo "checkov exit status: $rc"
  [[ $rc == 0 || $rc == 1 ]] || return 1
  "$PY" - "$WORK/checkov.json" <<'EOF'
import json, sys
report = json.load(open(sys.argv[1]))
summary = report["summary"]
print("summary:", summary)
assert report["check_type"] == "terraform", report["check_type"]
assert summary["resource_count"] == 1 and summary["parsing_errors"] == 0, summary
EOF
}
check checkov check_checkov

# tsc: a tiny Pulumi program importing @pulumi/aws, @pulumi/azure-native/cognitiveservices and
# @pulumi/gcp type-checks with --strict. It lives outside tests/interop, as the tests' generated
# programs will: a node_modules symlink lets TypeScript resolve the packages.
mkdir -p "$WORK/ts"
ln -s "$HERE/node_modules" "$WORK/ts/node_modules"
cat >"$WORK/ts/index.ts" <<'EOF'
import * as aws from "@pulumi/aws";
import * as cognitiveservices from "@pulumi/azure-native/cognitiveservices";
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";

const bucket = new aws.s3.Bucket("bucket", { forceDestroy: true });
const account = new cognitiveservices.Account("openai", {
  resourceGroupName: "rg",
  kind: "OpenAI",
  sku: { name: "S0" },
  location: "eastus",
});
const sa = new gcp.serviceaccount.Account("sa", { accountId: "meridian" });
export const names: pulumi.Output<string> = pulumi.interpolate`${bucket.id} ${account.name} ${sa.email}`;
EOF
check_tsc() { (cd "$WORK/ts" && "$TSC" --noEmit --strict index.ts); }
check tsc check_tsc

# litellm: LiteLLM's proxy loader loads a one-deployment config, offline.
cat >"$WORK/litellm.yaml" <<'EOF'
model_list:
  - model_name: meridian-check
    litellm_params:
      model: openai/gpt-4o-mini
      api_base: http://127.0.0.1:9/v1
      api_key: sk-meridian-interop-check
EOF
check_litellm() {
  "$PY" "$HERE/litellm_check.py" "$WORK/litellm.yaml" >"$WORK/litellm.json" || return 1
  "$PY" - "$WORK/litellm.json" "$WORK/litellm.yaml" <<'EOF'
import json, sys
out = json.load(open(sys.argv[1]))
summary = out["configs"][sys.argv[2]]
print(json.dumps(summary))
assert summary["ok"], summary
[dep] = summary["deployments"]
assert dep == {"model_name": "meridian-check", "model": "openai/gpt-4o-mini",
               "api_base": "http://127.0.0.1:9/v1"}, dep
EOF
}
check litellm check_litellm

# chromium: a headless screenshot of a local page, with every network feature off, is a PNG of
# the requested size.
cat >"$WORK/page.html" <<'EOF'
<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>check</title></head>
<body style="margin:0"><div style="width:300px;height:200px;background:#0969da"></div><p>meridian</p></body></html>
EOF
check_chromium() {
  timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$WORK/chromium-profile" --screenshot="$WORK/page.png" --window-size=400,300 \
    "file://$WORK/page.html" || return 1
  "$CKV_PY" - "$WORK/page.png" <<'EOF'
import struct, sys
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
width, height = struct.unpack(">II", data[16:24])
print("screenshot:", width, "x", height, len(data), "bytes")
assert (width, height) == (400, 300), (width, height)
EOF
}
check chromium check_chromium

# jq: a SARIF-shaped document turns into a Code Quality-shaped array.
check_jq() {
  [[ "$(echo '{"runs":[{"results":[{"ruleId":"MRD-X-001"}]}]}' |
    jq -c '[.runs[0].results[] | {check_name: .ruleId}]')" == '[{"check_name":"MRD-X-001"}]' ]]
}
check jq check_jq

# jsonschema: the vendored SARIF 2.1.0 schema is a valid draft-04 schema, accepts a minimal log
# and rejects a wrong level and a zero line number.
check_sarif_schema() {
  "$CKV_PY" - "$SARIF_SCHEMA" <<'EOF'
import copy, json, sys
import jsonschema
schema = json.load(open(sys.argv[1]))
jsonschema.Draft4Validator.check_schema(schema)
validator = jsonschema.Draft4Validator(schema)
good = {"version": "2.1.0", "runs": [{
    "tool": {"driver": {"name": "meridian", "rules": [{"id": "MRD-RES-001"}]}},
    "results": [{"ruleId": "MRD-RES-001", "level": "error", "message": {"text": "outside"},
                 "locations": [{"physicalLocation": {
                     "artifactLocation": {"uri": "main.hcl", "uriBaseId": "%SRCROOT%"},
                     "region": {"startLine": 3, "startColumn": 5}}}]}]}]}
validator.validate(good)
bad_level = copy.deepcopy(good)
bad_level["runs"][0]["results"][0]["level"] = "fatal"
assert not validator.is_valid(bad_level), "level 'fatal' was accepted"
bad_line = copy.deepcopy(good)
bad_line["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] = 0
assert not validator.is_valid(bad_line), "startLine 0 was accepted"
print("SARIF schema checks passed")
EOF
}
check sarif-schema check_sarif_schema

echo "$ALL_HASH" >"$ALL_STAMP"
echo "interop setup: all tools installed and working ($(elapsed "$T_INSTALL") in all)"
