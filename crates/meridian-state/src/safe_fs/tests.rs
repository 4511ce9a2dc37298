use super::*;

fn tree() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let spec = dir.path().join("spec");
    let outside = dir.path().join("outside");
    fs::create_dir_all(&spec).expect("mkdir");
    fs::create_dir_all(&outside).expect("mkdir");
    (dir, spec, outside)
}

fn problem(root: &Root, path: &str) -> Problem {
    match root.target(Path::new(path)) {
        Ok(p) => panic!("{path}: expected a refusal, got {}", p.display()),
        Err(e) => {
            assert_eq!(e.path, Path::new(path));
            e.problem
        }
    }
}

#[test]
fn recorded_paths_must_be_plain_relative_names() {
    for ok in [
        "a",
        "generated/terraform/main.tf",
        "a/..b/c..",
        "x.meridian",
    ] {
        assert_eq!(check_recorded(ok), Ok(()), "{ok}");
    }
    for (bad, want) in [
        ("", Problem::Empty),
        ("a\0b", Problem::Nul),
        ("/etc/passwd", Problem::Absolute),
        ("\\\\server\\share", Problem::Absolute),
        ("C:x", Problem::Absolute),
        ("../outside", Problem::Climbs),
        ("gen/../../outside", Problem::Climbs),
        ("gen\\..\\..\\outside", Problem::Climbs),
        ("gen/", Problem::TrailingSeparator),
        ("gen//x", Problem::NotNormal),
        ("./x", Problem::NotNormal),
        (".meridian/state.json", Problem::OwnDir),
        ("gen/.MERIDIAN/x", Problem::OwnDir),
        ("main.tf.meridian-new", Problem::Reserved(STAGED_SUFFIX)),
        ("main.tf.meridian-old", Problem::Reserved(BACKUP_SUFFIX)),
        ("x.meridian-tmp", Problem::Reserved(TEMP_SUFFIX)),
    ] {
        assert_eq!(check_recorded(bad), Err(want), "{bad:?}");
    }
}

#[test]
fn targets_inside_the_root_resolve_to_real_paths() {
    let (_d, spec, _o) = tree();
    let root = Root::new(&spec).expect("root");
    let real = spec.canonicalize().expect("canon");
    assert_eq!(
        root.target(Path::new("generated/terraform/main.tf"))
            .expect("ok"),
        real.join("generated/terraform/main.tf")
    );
    assert_eq!(
        root.target(Path::new("./gen/x.yaml")).expect("ok"),
        real.join("gen/x.yaml")
    );
    // Absolute inside the root is the same target.
    assert_eq!(
        root.target(&spec.join("gen/x")).expect("ok"),
        real.join("gen/x")
    );
    // A link to a directory inside the root is followed.
    fs::create_dir_all(spec.join("build/out")).expect("mkdir");
    std::os::unix::fs::symlink("build/out", spec.join("gen")).expect("symlink");
    assert_eq!(
        root.target(Path::new("gen/main.tf")).expect("ok"),
        real.join("build/out/main.tf")
    );
}

#[test]
fn lexical_problems_are_refused() {
    let (_d, spec, _o) = tree();
    let root = Root::new(&spec).expect("root");
    assert_eq!(problem(&root, ""), Problem::Empty);
    assert_eq!(problem(&root, "."), Problem::Empty);
    assert_eq!(problem(&root, "../outside/x"), Problem::Climbs);
    assert_eq!(problem(&root, "gen/../../x"), Problem::Climbs);
    assert_eq!(problem(&root, "/etc/passwd"), Problem::Absolute);
    assert_eq!(problem(&root, "gen/router/"), Problem::TrailingSeparator);
    assert_eq!(problem(&root, "gen/a\0b"), Problem::Nul);
    assert_eq!(problem(&root, ".meridian/state.json"), Problem::OwnDir);
    assert_eq!(problem(&root, ".meridian"), Problem::OwnDir);
    assert_eq!(
        problem(&root, "gen/main.tf.meridian-new"),
        Problem::Reserved(STAGED_SUFFIX)
    );
}

#[test]
fn links_out_of_the_root_are_refused() {
    let (_d, spec, outside) = tree();
    let root = Root::new(&spec).expect("root");
    std::os::unix::fs::symlink(&outside, spec.join("gen")).expect("symlink");
    match problem(&root, "gen/main.tf") {
        Problem::LinkOut { link, to } => {
            assert!(link.ends_with("gen"), "{}", link.display());
            assert_eq!(to, outside.canonicalize().expect("canon"));
        }
        other => panic!("{other:?}"),
    }
    // Deeper: an in-tree link to a directory holding a link out.
    fs::create_dir_all(spec.join("a")).expect("mkdir");
    std::os::unix::fs::symlink("../../outside", spec.join("a/b")).expect("symlink");
    assert!(matches!(
        problem(&root, "a/b/c/main.tf"),
        Problem::LinkOut { .. }
    ));
    // A dangling link on the way.
    std::os::unix::fs::symlink("/nonexistent/dir", spec.join("dangling")).expect("symlink");
    assert!(matches!(
        problem(&root, "dangling/x"),
        Problem::LinkOut { .. }
    ));
    // The file itself a link, inside or out: refused either way.
    fs::write(spec.join("real.tf"), "x").expect("write");
    std::os::unix::fs::symlink("real.tf", spec.join("alias.tf")).expect("symlink");
    assert_eq!(problem(&root, "alias.tf"), Problem::Link);
    std::os::unix::fs::symlink(outside.join("f"), spec.join("out.tf")).expect("symlink");
    assert_eq!(problem(&root, "out.tf"), Problem::Link);
    // A file where a directory is needed; a directory where a file is.
    assert!(matches!(
        problem(&root, "real.tf/x"),
        Problem::NotADirectory(_)
    ));
    fs::create_dir_all(spec.join("d")).expect("mkdir");
    assert_eq!(problem(&root, "d"), Problem::IsADirectory);
}

#[test]
fn own_files_are_never_targets() {
    let (_d, spec, _o) = tree();
    fs::create_dir_all(spec.join(".meridian")).expect("mkdir");
    fs::write(spec.join("main.hcl"), "x").expect("write");
    let mut root = Root::new(&spec).expect("root");
    root.protect(&spec.join("main.hcl"), "a spec file");
    root.protect(&spec.join("plan.json"), "the plan file being written");
    match problem(&root, "main.hcl") {
        Problem::Own { what, .. } => assert_eq!(what, "a spec file"),
        other => panic!("{other:?}"),
    }
    match problem(&root, "plan.json") {
        Problem::Own { what, .. } => assert_eq!(what, "the plan file being written"),
        other => panic!("{other:?}"),
    }
    // Through a link into .meridian.
    std::os::unix::fs::symlink(".meridian", spec.join("gen")).expect("symlink");
    match problem(&root, "gen/state.json") {
        Problem::Own { what, .. } => assert_eq!(what, "Meridian's state directory"),
        other => panic!("{other:?}"),
    }
    let e = root.target(Path::new("main.hcl")).expect_err("own");
    assert!(
        e.to_string()
            .starts_with("refusing to write main.hcl: it is a spec file ("),
        "{e}"
    );
}

#[test]
fn user_files_get_the_roots_protections() {
    let (_d, spec, outside) = tree();
    fs::create_dir_all(spec.join(".meridian")).expect("mkdir");
    let mut root = Root::new(&spec).expect("root");
    root.protect(&spec.join("main.hcl"), "a spec file");
    // Absolute: checked under its own directory.
    let ok = root.user_file(&outside.join("plan.json")).expect("ok");
    assert_eq!(ok, outside.canonicalize().expect("canon").join("plan.json"));
    let e = root
        .user_file(&spec.join(".meridian/state.json"))
        .expect_err("own");
    assert!(matches!(e.problem, Problem::Own { .. }), "{e:?}");
    let e = root.user_file(&spec.join("main.hcl")).expect_err("own");
    assert!(matches!(e.problem, Problem::Own { .. }), "{e:?}");
    // A directory chosen with `..`: only the file in it is checked.
    fs::create_dir_all(spec.join("sub")).expect("mkdir");
    let e = root
        .user_file(&spec.join("sub/../.meridian/state.json"))
        .expect_err("own");
    assert!(matches!(e.problem, Problem::Own { .. }), "{e:?}");
    fs::write(outside.join("real"), "x").expect("write");
    std::os::unix::fs::symlink(outside.join("real"), outside.join("link")).expect("symlink");
    let e = root.user_file(&outside.join("link")).expect_err("link");
    assert_eq!(e.problem, Problem::Link);
}

#[test]
fn new_files_never_follow_or_replace_anything() {
    let (_d, spec, outside) = tree();
    let victim = outside.join("victim");
    fs::write(&victim, "precious").expect("write");
    let planted = spec.join("main.tf.meridian-new");
    std::os::unix::fs::symlink(&victim, &planted).expect("symlink");
    let e = write_new_synced(&planted, b"payload").expect_err("refused");
    assert_eq!(e.kind(), io::ErrorKind::AlreadyExists, "{e}");
    assert_eq!(fs::read_to_string(&victim).expect("read"), "precious");
    // A dangling link too: O_EXCL refuses to create through it.
    let dangling = spec.join("d.meridian-new");
    std::os::unix::fs::symlink(outside.join("new-file"), &dangling).expect("symlink");
    assert!(write_new_synced(&dangling, b"payload").is_err());
    assert!(!outside.join("new-file").exists());
}

#[test]
fn reads_and_lock_opens_refuse_links() {
    let (_d, spec, outside) = tree();
    let victim = outside.join("victim");
    fs::write(&victim, "secret").expect("write");
    let link = spec.join("state.json");
    std::os::unix::fs::symlink(&victim, &link).expect("symlink");
    let e = read(&link).expect_err("refused");
    assert!(e.to_string().contains("is a symbolic link"), "{e}");
    let e = open_lock_file(&link).expect_err("refused");
    assert!(e.to_string().contains("is a symbolic link"), "{e}");
    assert_eq!(fs::read_to_string(&victim).expect("read"), "secret");
    assert_eq!(read_if_exists(&spec.join("missing")).expect("ok"), None);
}

#[test]
fn own_dir_must_be_a_real_directory() {
    let (_d, spec, outside) = tree();
    own_dir(&spec.join(".meridian")).expect("created");
    assert!(spec.join(".meridian").is_dir());
    own_dir(&spec.join(".meridian")).expect("exists");
    let other = spec.join("other");
    std::os::unix::fs::symlink(&outside, &other).expect("symlink");
    let e = own_dir(&other).expect_err("link");
    assert!(e.to_string().contains("is a symbolic link"), "{e}");
    fs::write(spec.join("file"), "x").expect("write");
    assert!(own_dir(&spec.join("file")).is_err());
}

#[test]
fn create_dirs_refuses_a_dangling_link_on_the_way() {
    let (_d, spec, outside) = tree();
    std::os::unix::fs::symlink(outside.join("made"), spec.join("gen")).expect("symlink");
    assert!(create_dirs(&spec.join("gen/tf")).is_err());
    assert!(!outside.join("made").exists());
    create_dirs(&spec.join("a/b/c")).expect("created");
    assert!(spec.join("a/b/c").is_dir());
}

#[test]
fn write_atomic_replaces_a_link_instead_of_following_it() {
    let (_d, spec, outside) = tree();
    let victim = outside.join("victim");
    fs::write(&victim, "precious").expect("write");
    let target = spec.join("plan.json");
    std::os::unix::fs::symlink(&victim, &target).expect("symlink");
    write_atomic(&target, b"{}\n").expect("write");
    assert_eq!(fs::read_to_string(&victim).expect("read"), "precious");
    assert!(!fs::symlink_metadata(&target)
        .expect("meta")
        .file_type()
        .is_symlink());
    assert_eq!(fs::read_to_string(&target).expect("read"), "{}\n");
    let leftovers: Vec<_> = fs::read_dir(&spec)
        .expect("dir")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(leftovers, vec![std::ffi::OsString::from("plan.json")]);
}

#[test]
fn copies_keep_links_out_of_backups() {
    let (_d, spec, outside) = tree();
    let victim = outside.join("victim");
    fs::write(&victim, "secret").expect("write");
    let link = spec.join("state.json");
    std::os::unix::fs::symlink(&victim, &link).expect("symlink");
    let backup = spec.join("state.json.backup");
    assert!(replace_with_copy_of(&link, &backup).is_err());
    assert!(!backup.exists());
    assert!(link_or_copy(&link, &backup).is_err());
    assert!(!backup.exists());
}
