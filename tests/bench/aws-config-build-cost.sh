#!/usr/bin/env bash
# What `aws-config` (the AWS SDKs' credential chain for Rust) would add to a cold release
# build of the binary: two clean `cargo build -p meridian --release` in scratch target
# directories, of the committed tree and of the same tree with `aws-config` (default
# features, as its documentation sets it up) linked into the binary. Prints the crates
# compiled, the CPU time (user + system, steadier than wall time on a shared machine), the
# wall time and the binary's size of each.
#
#   bash tests/bench/aws-config-build-cost.sh        # needs crates.io for aws-config
#
# Meridian implements the chain in crates/meridian-refresh/src/creds/ instead; see
# ARCHITECTURE.md ("Why these dependencies") for the figures and the decision.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_init aws-config-build-cost
command -v /usr/bin/time >/dev/null || die "/usr/bin/time is required"

git archive HEAD | (mkdir -p "$work/without" && tar -x -C "$work/without")
git archive HEAD | (mkdir -p "$work/with" && tar -x -C "$work/with")
(
  cd "$work/with"
  sed -i 's/^ring.workspace = true$/ring.workspace = true\naws-config = { version = "1", features = ["behavior-version-latest"] }/' \
    crates/meridian-refresh/Cargo.toml
  grep -q aws-config crates/meridian-refresh/Cargo.toml || die "could not add aws-config"
  # Used from the binary, so its code is compiled and linked, not only its crates.
  cat >>crates/meridian-refresh/src/lib.rs <<'RUST'

#[doc(hidden)]
pub fn aws_config_chain() -> bool {
    use aws_credential_types::provider::ProvideCredentials as _;
    let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() else {
        return false;
    };
    rt.block_on(async {
        let c = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
        match c.credentials_provider() {
            Some(p) => p.provide_credentials().await.is_ok(),
            None => false,
        }
    })
}
RUST
  python3 - <<'PY'
p = "crates/meridian/src/commands/refresh.rs"
s = open(p).read()
anchor = "    let scopes = meridian_refresh::scopes(project, prior);\n"
assert anchor in s
s = s.replace(anchor, anchor + '    if std::env::var_os("MERIDIAN_AWS_CONFIG_CHAIN").is_some() {\n        let _ = writeln!(out.err, "{}", meridian_refresh::aws_config_chain());\n    }\n', 1)
open(p, "w").write(s)
PY
  cargo fetch -q
)
(cd "$work/without" && cargo fetch -q --locked)

for variant in without with; do
  echo "==> clean release build, $variant aws-config"
  (
    cd "$work/$variant"
    uptime
    /usr/bin/time -f "%U %S %e" -o "$work/$variant.time" \
      cargo build -p meridian --release --target-dir "$work/target-$variant" 2>"$work/$variant.err"
    uptime
  )
  read -r user sys wall <"$work/$variant.time"
  crates=$(grep -c Compiling "$work/$variant.err" || true)
  size=$(wc -c <"$work/target-$variant/release/meridian" | tr -d ' ')
  printf '%-8s %4d crates  cpu %7.1f s  wall %7.1f s  binary %s MB\n' \
    "$variant" "$crates" "$(python3 -c "print($user + $sys)")" "$wall" "$(mb "$size")"
  rm -rf "$work/target-$variant"
done
