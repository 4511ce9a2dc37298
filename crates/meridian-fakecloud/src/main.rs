//! `meridian-fakecloud`: serve a fixture, or write the fixture of a Meridian state.

use meridian_fakecloud::{FakeCloud, Fault, FaultKind, Fixture, Provider};

/// The Azure subscription of `fixture --from-catalog` when none is given.
const DEFAULT_AZURE_SUBSCRIPTION: &str = "00000000-0000-0000-0000-000000000000";
use std::io::Write as _;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

const HELP: &str = "\
meridian-fakecloud — a fake Azure Resource Manager, AWS Bedrock and Vertex AI on 127.0.0.1

USAGE:
    meridian-fakecloud serve --fixture FILE [--port N] [--latency-ms N]
    meridian-fakecloud fixture --from-state FILE [--aws-account-id ID]
    meridian-fakecloud fixture --from-catalog builtin|OVERLAY [--azure-subscription ID]
                               [--aws-account-id ID]
    meridian-fakecloud --help

COMMANDS:
    serve      Serve FILE (a fixture, see the crate README) until killed. Prints the
               endpoints and the environment lines that point Meridian at them.
               --port N        listen on 127.0.0.1:N (default: a free port)
               --latency-ms N  delay every response by N milliseconds
    fixture    Print the fixture whose objects Meridian's refresh maps back to the
               resources of a state file (.meridian/state.json).
               --aws-account-id ID  the AWS account of the ARNs and of the test
                                    credentials (default: the account the state's
                                    ARNs name, else 123456789012)
               Or, with --from-catalog, the fixture of a cloud that offers exactly what
               the catalog says (the built-in one, or it with an overlay file merged),
               as `meridian catalog verify` reads it.
               --azure-subscription ID  the subscription whose model lists are served
                                        (default: 00000000-0000-0000-0000-000000000000)

EXAMPLES:
    meridian-fakecloud fixture --from-state .meridian/state.json > fixture.json
    meridian-fakecloud fixture --from-catalog builtin --azure-subscription SUB > cloud.json
    meridian-fakecloud serve --fixture fixture.json --port 8999
    meridian-fakecloud serve --fixture fixture.json > fakecloud.out &
    sleep 1; eval \"$(grep '^export ' fakecloud.out)\"; meridian refresh
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("meridian-fakecloud: {message}");
            eprintln!("Run `meridian-fakecloud --help` for usage.");
            ExitCode::from(2)
        }
    }
}

/// The value after `flag`, if `flag` is given.
fn option(args: &[String], flag: &str) -> Result<Option<String>, String> {
    match args.iter().position(|a| a == flag) {
        None => Ok(None),
        Some(i) => args
            .get(i + 1)
            .filter(|v| !v.starts_with("--"))
            .cloned()
            .map(Some)
            .ok_or_else(|| format!("{flag} needs a value")),
    }
}

fn check_flags(args: &[String], allowed: &[&str]) -> Result<(), String> {
    let mut i = 0;
    while i < args.len() {
        if !allowed.contains(&args[i].as_str()) {
            return Err(format!("unexpected argument '{}'", args[i]));
        }
        i += 2;
    }
    Ok(())
}

fn run(args: &[String]) -> Result<(), String> {
    match args.first().map(String::as_str) {
        None | Some("--help" | "-h" | "help") => {
            print!("{HELP}");
            Ok(())
        }
        Some("serve") => serve(&args[1..]),
        Some("fixture") => fixture(&args[1..]),
        Some(other) => Err(format!("unknown command '{other}'")),
    }
}

fn number<T: std::str::FromStr>(args: &[String], flag: &str) -> Result<Option<T>, String> {
    option(args, flag)?
        .map(|v| {
            v.parse()
                .map_err(|_| format!("{flag} must be a number, not '{v}'"))
        })
        .transpose()
}

fn serve(args: &[String]) -> Result<(), String> {
    if args.iter().any(|a| a == "--help" || a == "-h") {
        print!("{HELP}");
        return Ok(());
    }
    check_flags(args, &["--fixture", "--port", "--latency-ms"])?;
    let path = option(args, "--fixture")?.ok_or("serve needs --fixture FILE")?;
    let port: u16 = number(args, "--port")?.unwrap_or(0);
    let latency: Option<u64> = number(args, "--latency-ms")?;
    let text = std::fs::read_to_string(&path).map_err(|e| format!("cannot read {path}: {e}"))?;
    let mut fixture = Fixture::from_json(&text).map_err(|e| format!("{path}: {e}"))?;
    if let Some(ms) = latency.filter(|ms| *ms > 0) {
        for p in [Provider::Azure, Provider::Aws, Provider::Gcp] {
            fixture
                .faults
                .push(Fault::new(p, FaultKind::Latency { ms }));
        }
    }
    let cloud = FakeCloud::start_on(SocketAddr::from(([127, 0, 0, 1], port)), fixture)
        .map_err(|e| format!("cannot serve on 127.0.0.1:{port}: {e}"))?;
    let mut out = String::new();
    out.push_str(&format!(
        "meridian-fakecloud serving {path} on {}\n",
        cloud.base_url()
    ));
    out.push_str(&format!("  azure: {}\n", cloud.azure_endpoint()));
    out.push_str(&format!("  aws:   {}\n", cloud.aws_endpoint()));
    out.push_str(&format!("  sts:   {}\n", cloud.aws_sts_endpoint()));
    out.push_str(&format!("  gcp:   {}\n", cloud.gcp_location_endpoint()));
    out.push_str("# Point Meridian at it (the credentials are the fixture's):\n");
    for (k, v) in cloud.env_vars() {
        out.push_str(&format!("export {k}={}\n", shell_quote(&v)));
    }
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(out.as_bytes())
        .and_then(|()| stdout.flush())
        .map_err(|e| format!("cannot write to stdout: {e}"))?;
    drop(stdout);
    loop {
        std::thread::park();
    }
}

fn shell_quote(v: &str) -> String {
    if v.bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"-_./:@+=,".contains(&b))
    {
        v.to_owned()
    } else {
        format!("'{}'", v.replace('\'', "'\\''"))
    }
}

fn fixture(args: &[String]) -> Result<(), String> {
    if args.iter().any(|a| a == "--help" || a == "-h") {
        print!("{HELP}");
        return Ok(());
    }
    check_flags(
        args,
        &[
            "--from-state",
            "--from-catalog",
            "--aws-account-id",
            "--azure-subscription",
        ],
    )?;
    let account = option(args, "--aws-account-id")?;
    let fixture = match (
        option(args, "--from-state")?,
        option(args, "--from-catalog")?,
    ) {
        (Some(path), None) => {
            let path = PathBuf::from(path);
            let state = meridian_state::load(&path)
                .map_err(|e| e.to_string())?
                .ok_or_else(|| format!("{}: no such state file", path.display()))?;
            Fixture::from_state(&state, account.as_deref())
        }
        (None, Some(overlay)) => {
            let builtin = meridian_catalog::Catalog::builtin();
            let catalog = if overlay == "builtin" {
                builtin.clone()
            } else {
                let text = std::fs::read_to_string(&overlay)
                    .map_err(|e| format!("cannot read {overlay}: {e}"))?;
                builtin
                    .with_overlay(&text)
                    .map_err(|e| format!("{overlay}: {e}"))?
            };
            let mut fixture = Fixture::default();
            if let Some(a) = account {
                fixture.auth.aws.account_id = a;
            }
            let subscription = option(args, "--azure-subscription")?
                .unwrap_or_else(|| DEFAULT_AZURE_SUBSCRIPTION.to_owned());
            fixture.with_catalog(&catalog, &subscription)
        }
        _ => {
            return Err(
                "fixture needs either --from-state FILE or --from-catalog builtin|OVERLAY".into(),
            )
        }
    };
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(fixture.to_json().as_bytes())
        .and_then(|()| stdout.flush())
        .map_err(|e| format!("cannot write to stdout: {e}"))
}
