//! AWS's shared `config` and `credentials` files: sections, properties, and the profile
//! they make together.
//!
//! The format, as the AWS SDKs and Tools reference guide describes it
//! (<https://docs.aws.amazon.com/sdkref/latest/guide/file-format.html>): `[default]`,
//! `[profile NAME]` and `[sso-session NAME]` sections in `config`, `[NAME]` sections in
//! `credentials`; `key = value` properties; lines starting with `#` or `;` are comments; an
//! indented line continues the property above it (sub-properties, which credentials do not
//! use). Where both files set a property of a profile, `credentials` wins.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A section's properties, names in lower case.
pub(crate) type Properties = BTreeMap<String, String>;

/// Which file a text came from (their section names differ).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FileKind {
    Config,
    Credentials,
}

/// The profiles and SSO sessions of both files.
#[derive(Debug, Default)]
pub(crate) struct ProfileSet {
    profiles: BTreeMap<String, Properties>,
    sso_sessions: BTreeMap<String, Properties>,
    /// The files read (that existed).
    pub(crate) files: Vec<PathBuf>,
}

impl ProfileSet {
    /// Reads both files; a file that does not exist is no profile. A file that exists but
    /// cannot be read is an error.
    pub(crate) fn load(
        config: Option<&Path>,
        credentials: Option<&Path>,
    ) -> Result<ProfileSet, String> {
        let mut set = ProfileSet::default();
        for (path, kind) in [
            (config, FileKind::Config),
            (credentials, FileKind::Credentials),
        ] {
            let Some(path) = path else { continue };
            match std::fs::read_to_string(path) {
                Ok(text) => {
                    set.add(&text, kind);
                    set.files.push(path.to_path_buf());
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
            }
        }
        Ok(set)
    }

    /// Adds the sections of one file (a later file's properties win).
    pub(crate) fn add(&mut self, text: &str, kind: FileKind) {
        for (header, props) in sections(text) {
            let header = header.trim();
            let target = match kind {
                FileKind::Credentials => Some((&mut self.profiles, header.to_string())),
                FileKind::Config => {
                    let mut words = header.split_whitespace();
                    match (words.next(), words.next(), words.next()) {
                        (Some("default"), None, None) => {
                            Some((&mut self.profiles, "default".to_string()))
                        }
                        (Some("profile"), Some(name), None) => {
                            Some((&mut self.profiles, name.to_string()))
                        }
                        (Some("sso-session"), Some(name), None) => {
                            Some((&mut self.sso_sessions, name.to_string()))
                        }
                        // `[name]` without `profile` is not a profile in `config`; other
                        // section kinds (`services`) hold nothing credentials need.
                        _ => None,
                    }
                }
            };
            if let Some((map, name)) = target {
                map.entry(name).or_default().extend(props);
            }
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.profiles.is_empty()
    }

    pub(crate) fn profile(&self, name: &str) -> Option<&Properties> {
        self.profiles.get(name)
    }

    pub(crate) fn sso_session(&self, name: &str) -> Option<&Properties> {
        self.sso_sessions.get(name)
    }
}

/// The sections of a file: (header text, properties).
fn sections(text: &str) -> Vec<(String, Properties)> {
    let mut out: Vec<(String, Properties)> = Vec::new();
    let mut last_key: Option<String> = None;
    for raw in text.lines() {
        let line = raw.trim_end();
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with(';') {
            continue;
        }
        if let Some(rest) = trimmed.strip_prefix('[') {
            // A comment may follow the closing bracket.
            let header = rest.split(']').next().unwrap_or_default();
            out.push((header.to_string(), Properties::new()));
            last_key = None;
            continue;
        }
        let Some((_, props)) = out.last_mut() else {
            continue; // properties before any section belong to none
        };
        if line.starts_with([' ', '\t']) {
            // A continuation (sub-property) of the property above.
            if let Some(v) = last_key.as_ref().and_then(|k| props.get_mut(k)) {
                v.push('\n');
                v.push_str(trimmed);
                continue;
            }
        }
        if let Some((k, v)) = trimmed.split_once('=') {
            let key = k.trim().to_ascii_lowercase();
            props.insert(key.clone(), v.trim().to_string());
            last_key = Some(key);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_and_credentials_merge_with_credentials_winning() {
        let mut set = ProfileSet::default();
        set.add(
            "# comment\n[default]\nregion = eu-central-1\n\n[profile dev]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = base\ns3 =\n  max_concurrent_requests = 10\n[sso-session corp]\nsso_region = eu-west-1\nsso_start_url = https://corp.awsapps.com/start\n[orphan]\nx = y\n[services svc]\nbedrock =\n  endpoint_url = http://x\n",
            FileKind::Config,
        );
        set.add(
            "[base]\naws_access_key_id = AKIA1\naws_secret_access_key = s1\n; comment\n[default]\nregion = us-east-1\n",
            FileKind::Credentials,
        );
        assert_eq!(
            set.profile("default")
                .and_then(|p| p.get("region"))
                .map(String::as_str),
            Some("us-east-1")
        );
        let dev = set.profile("dev").expect("dev");
        assert_eq!(dev["source_profile"], "base");
        assert!(dev["s3"].contains("max_concurrent_requests"));
        assert_eq!(
            set.profile("base").expect("base")["aws_access_key_id"],
            "AKIA1"
        );
        assert!(
            set.profile("orphan").is_none(),
            "[name] in config is no profile"
        );
        assert!(set.profile("svc").is_none());
        assert_eq!(
            set.sso_session("corp").expect("session")["sso_region"],
            "eu-west-1"
        );
    }

    #[test]
    fn keys_are_case_insensitive_and_values_trimmed() {
        let mut set = ProfileSet::default();
        set.add("[p]\n AWS_Access_Key_ID=  AKIA2  \n", FileKind::Credentials);
        assert_eq!(set.profile("p").expect("p")["aws_access_key_id"], "AKIA2");
    }

    #[test]
    fn missing_files_are_no_profiles() {
        let dir = std::env::temp_dir().join("meridian-no-such-dir-for-ini-test");
        let set = ProfileSet::load(Some(&dir.join("config")), Some(&dir.join("credentials")))
            .expect("load");
        assert!(set.is_empty());
        assert!(set.files.is_empty());
    }
}
