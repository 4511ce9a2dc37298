use super::*;
use std::sync::mpsc;

fn lock_path(dir: &Path) -> PathBuf {
    dir.join(".meridian").join("state.lock")
}

fn info(op: &str) -> LockInfo {
    LockInfo::new(op, "0.1.0")
}

fn held(result: Result<Lock, LockError>) -> (Option<LockInfo>, PathBuf) {
    match result {
        Err(LockError::Held { info, path }) => (info, path),
        Err(e) => panic!("expected Held, got {e:?}"),
        Ok(l) => panic!("expected Held, acquired {:?}", l.info()),
    }
}

#[test]
fn two_open_file_descriptions_in_one_process_contend() {
    // flock(2) locks belong to the open file description: two `File::open`s of one file in
    // one process exclude each other, which the other tests rely on.
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("f");
    fs::write(&path, b"").expect("write");
    let a = File::open(&path).expect("open a");
    let b = File::open(&path).expect("open b");
    a.try_lock().expect("a locks");
    assert!(matches!(b.try_lock(), Err(TryLockError::WouldBlock)));
    a.unlock().expect("unlock");
    b.try_lock().expect("b locks after a unlocked");
    drop(b);
    // Closing the file releases the lock too.
    a.try_lock().expect("a locks after b closed");
}

#[test]
fn acquire_writes_the_info_and_release_removes_the_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = lock_path(dir.path());
    let i = info("apply");
    let lock = Lock::acquire(&path, i.clone(), Duration::ZERO).expect("acquire");
    assert_eq!(lock.info(), &i);
    assert_eq!(lock.path(), path);
    let on_disk: LockInfo =
        serde_json::from_str(&fs::read_to_string(&path).expect("read")).expect("json");
    assert_eq!(on_disk, i);
    lock.release().expect("release");
    assert!(!path.exists());
    // And it can be taken again.
    let again = Lock::acquire(&path, info("plan"), Duration::ZERO).expect("again");
    drop(again);
    assert!(!path.exists(), "drop releases too");
}

#[test]
fn lock_info_fields() {
    let i = info("apply");
    assert!(crate::id::is_uuid_v4(&i.id), "{}", i.id);
    assert_eq!(i.operation, "apply");
    assert_eq!(i.pid, std::process::id());
    assert_eq!(i.version, "0.1.0");
    let (user, host) = i.who.split_once('@').expect("user@host");
    assert!(!user.is_empty() && !host.is_empty(), "{}", i.who);
    // 2026-11-25T13:51:38Z
    let b = i.created.as_bytes();
    assert_eq!(b.len(), 20, "{}", i.created);
    assert_eq!(
        (b[4], b[7], b[10], b[13], b[16], b[19]),
        (b'-', b'-', b'T', b':', b':', b'Z')
    );
    assert_ne!(info("apply").id, i.id);
    let json = serde_json::to_value(&i).expect("json");
    let mut keys: Vec<&str> = json
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        ["created", "id", "operation", "pid", "version", "who"]
    );
}

#[test]
fn a_held_lock_fails_at_once_with_timeout_zero() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = lock_path(dir.path());
    let holder = Lock::acquire(&path, info("apply"), Duration::ZERO).expect("acquire");
    let start = Instant::now();
    let (got, p) = held(Lock::acquire(&path, info("plan"), Duration::ZERO));
    assert!(
        start.elapsed() < Duration::from_millis(200),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(p, path);
    let got = got.expect("holder info");
    assert_eq!(&got, holder.info());
    // The waiter did not disturb the holder's information.
    let on_disk: LockInfo =
        serde_json::from_str(&fs::read_to_string(&path).expect("read")).expect("json");
    assert_eq!(&on_disk, holder.info());
}

#[test]
fn held_error_reads_like_terraform() {
    let i = LockInfo {
        id: "0f8fad5b-d9cb-469f-a165-70867728950e".to_owned(),
        operation: "apply".to_owned(),
        who: "ana@build-7".to_owned(),
        pid: 123,
        version: "0.1.0".to_owned(),
        created: "2026-11-25T13:51:38Z".to_owned(),
    };
    let e = LockError::Held {
        info: Some(i),
        path: PathBuf::from(".meridian/state.lock"),
    };
    assert_eq!(
        e.to_string(),
        "Error acquiring the state lock: the state is locked by ID 0f8fad5b-d9cb-469f-a165-70867728950e \
         (operation apply, by ana@build-7, pid 123) since 2026-11-25T13:51:38Z. Wait for it to finish, \
         retry with -lock-timeout=DURATION, or if no Meridian process holds it, run \
         `meridian force-unlock 0f8fad5b-d9cb-469f-a165-70867728950e`."
    );
    let e = LockError::Held {
        info: None,
        path: PathBuf::from(".meridian/state.lock"),
    };
    assert!(e
        .to_string()
        .starts_with("Error acquiring the state lock: the state is locked by another process"));
}

#[test]
fn a_waiter_times_out_after_roughly_the_timeout() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = lock_path(dir.path());
    let holder = Lock::acquire(&path, info("apply"), Duration::ZERO).expect("acquire");
    let start = Instant::now();
    let (got, _) = held(Lock::acquire(
        &path,
        info("plan"),
        Duration::from_millis(300),
    ));
    let waited = start.elapsed();
    assert!(waited >= Duration::from_millis(300), "{waited:?}");
    assert!(waited < Duration::from_secs(3), "{waited:?}");
    assert_eq!(got.as_ref(), Some(holder.info()));
}

#[test]
fn a_waiter_gets_the_lock_once_the_holder_releases() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = lock_path(dir.path());
    let holder = Lock::acquire(&path, info("apply"), Duration::ZERO).expect("acquire");
    let (tx, rx) = mpsc::channel();
    let waiter_path = path.clone();
    let waiter = thread::spawn(move || {
        tx.send(()).expect("send");
        let start = Instant::now();
        let lock = Lock::acquire(&waiter_path, info("plan"), Duration::from_secs(20));
        (lock, start.elapsed())
    });
    rx.recv().expect("waiter started");
    thread::sleep(Duration::from_millis(250));
    holder.release().expect("release");
    let (lock, waited) = waiter.join().expect("join");
    let lock = lock.expect("waiter acquires");
    assert!(waited >= Duration::from_millis(150), "{waited:?}");
    assert!(waited < Duration::from_secs(10), "{waited:?}");
    assert_eq!(lock.info().operation, "plan");
    let on_disk: LockInfo =
        serde_json::from_str(&fs::read_to_string(&path).expect("read")).expect("json");
    assert_eq!(&on_disk, lock.info());
}

#[test]
fn many_threads_take_turns_and_never_overlap() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    let dir = tempfile::tempdir().expect("tempdir");
    let path = lock_path(dir.path());
    let inside = Arc::new(AtomicUsize::new(0));
    let max = Arc::new(AtomicUsize::new(0));
    let handles: Vec<_> = (0..6)
        .map(|_| {
            let (path, inside, max) = (path.clone(), Arc::clone(&inside), Arc::clone(&max));
            thread::spawn(move || {
                for _ in 0..3 {
                    let lock = Lock::acquire(&path, info("apply"), Duration::from_secs(30))
                        .expect("acquire");
                    let now = inside.fetch_add(1, Ordering::SeqCst) + 1;
                    max.fetch_max(now, Ordering::SeqCst);
                    thread::sleep(Duration::from_millis(5));
                    inside.fetch_sub(1, Ordering::SeqCst);
                    lock.release().expect("release");
                }
            })
        })
        .collect();
    for h in handles {
        h.join().expect("join");
    }
    assert_eq!(max.load(Ordering::SeqCst), 1, "two holders at once");
    assert!(!path.exists());
}

#[test]
fn a_stale_lock_file_never_blocks() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = lock_path(dir.path());
    fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    let dead = LockInfo {
        pid: 999_999,
        ..info("apply")
    };
    // A longer text than the new info, to check the file is truncated.
    let mut text = serde_json::to_string_pretty(&dead).expect("json");
    text.push_str(&" ".repeat(500));
    fs::write(&path, &text).expect("write");
    let lock = Lock::acquire(&path, info("plan"), Duration::ZERO).expect("stale lock taken");
    let on_disk: LockInfo =
        serde_json::from_str(&fs::read_to_string(&path).expect("read")).expect("json");
    assert_eq!(&on_disk, lock.info());
    assert_ne!(on_disk.id, dead.id);
}

#[test]
fn garbage_in_an_unheld_lock_file_does_not_block() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("state.lock");
    fs::write(&path, b"\x00\x01garbage").expect("write");
    let lock = Lock::acquire(&path, info("apply"), Duration::ZERO).expect("acquire");
    assert!(fs::read_to_string(&path)
        .expect("read")
        .contains(&lock.info().id));
}

#[test]
fn a_holder_without_info_yet_is_reported_without_an_id() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("state.lock");
    fs::write(&path, b"").expect("write");
    let raw = fs::OpenOptions::new()
        .write(true)
        .open(&path)
        .expect("open");
    raw.try_lock().expect("raw lock");
    let (got, _) = held(Lock::acquire(&path, info("plan"), Duration::ZERO));
    assert_eq!(got, None);
}

#[test]
fn force_unlock_without_a_lock_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = lock_path(dir.path());
    let e = force_unlock(&path, "x").expect_err("no lock");
    assert!(matches!(e, LockError::NoLock { .. }), "{e:?}");
    assert!(e.to_string().starts_with("no lock to release"), "{e}");
    fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    fs::write(&path, b"  \n").expect("write");
    let e = force_unlock(&path, "x").expect_err("empty");
    assert!(matches!(e, LockError::NoLock { .. }), "{e:?}");
}

#[test]
fn force_unlock_with_the_wrong_id_names_the_actual_one() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("state.lock");
    let stale = info("apply");
    fs::write(&path, serde_json::to_vec(&stale).expect("json")).expect("write");
    let e = force_unlock(&path, "not-the-id").expect_err("mismatch");
    match &e {
        LockError::IdMismatch { given, actual, .. } => {
            assert_eq!(given, "not-the-id");
            assert_eq!(actual, &stale.id);
        }
        _ => panic!("expected IdMismatch, got {e:?}"),
    }
    assert!(e.to_string().contains(&stale.id), "{e}");
    assert!(path.exists(), "nothing removed");
}

#[test]
fn force_unlock_refuses_while_a_live_process_holds_the_lock() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = lock_path(dir.path());
    let holder = Lock::acquire(&path, info("apply"), Duration::ZERO).expect("acquire");
    let id = holder.info().id.clone();
    let e = force_unlock(&path, &id).expect_err("held");
    assert!(matches!(e, LockError::HeldByRunning { .. }), "{e:?}");
    let msg = e.to_string();
    assert!(
        msg.contains(&format!(
            "the lock is held by a running process (pid {}",
            std::process::id()
        )),
        "{msg}"
    );
    assert!(msg.contains("stop it first"), "{msg}");
    assert!(path.exists());
    // The holder is unaffected and releases normally.
    holder.release().expect("release");
}

#[test]
fn force_unlock_removes_a_stale_lock() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("state.lock");
    let stale = info("apply");
    fs::write(&path, serde_json::to_vec_pretty(&stale).expect("json")).expect("write");
    let done = force_unlock(&path, &format!(" {} ", stale.id)).expect("unlock");
    assert_eq!(done.info, stale);
    assert!(!path.exists());
    assert!(matches!(
        force_unlock(&path, &stale.id),
        Err(LockError::NoLock { .. })
    ));
}

#[test]
fn force_unlock_of_a_garbage_file_is_corrupt() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("state.lock");
    fs::write(&path, b"{not json").expect("write");
    let e = force_unlock(&path, "x").expect_err("corrupt");
    assert!(matches!(e, LockError::Corrupt { .. }), "{e:?}");
    assert!(e.to_string().contains("delete it"), "{e}");
}

#[test]
fn a_lock_file_in_an_impossible_place_is_an_io_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    fs::write(dir.path().join("file"), b"x").expect("write");
    let path = dir.path().join("file").join("state.lock");
    match Lock::acquire(&path, info("apply"), Duration::ZERO) {
        Err(LockError::Io { path: p, .. }) => assert_eq!(p, path),
        other => panic!("expected Io, got {other:?}"),
    }
}

#[test]
fn durations_in_terraform_syntax() {
    let ms = Duration::from_millis;
    for (text, want) in [
        ("0", Duration::ZERO),
        ("0s", Duration::ZERO),
        ("500ms", ms(500)),
        ("10s", ms(10_000)),
        ("2m", ms(120_000)),
        ("1m30s", ms(90_000)),
        ("1h", ms(3_600_000)),
        ("1h2m3s4ms", ms(3_723_004)),
        ("1.5s", ms(1500)),
        (".5m", ms(30_000)),
        ("0.25h", ms(900_000)),
        (" 5s ", ms(5000)),
    ] {
        assert_eq!(parse_duration(text), Ok(want), "{text}");
    }
}

#[test]
fn bad_durations_are_rejected_with_a_clear_message() {
    for (text, why) in [
        ("", "it is empty"),
        ("10", "a unit is missing"),
        ("5 s", "a unit is missing"),
        ("s", "a number is missing"),
        ("-1s", "a number is missing"),
        ("+1s", "a number is missing"),
        ("1d", "unknown unit \"d\""),
        ("10sec", "unknown unit \"sec\""),
        ("1.2.3s", "a unit is missing"),
        ("1S", "unknown unit \"S\""),
        ("99999999999999999999999999999999999999999h", "too large"),
        ("9999999999999999999h", "too long"),
    ] {
        let e = parse_duration(text).expect_err(text);
        assert!(e.contains(why), "{text}: {e}");
        assert!(e.contains(&format!("invalid duration {text:?}")), "{e}");
        assert!(e.contains("such as 0, 500ms, 10s, 2m or 1m30s"), "{e}");
    }
}

const HOLDER_ENV: &str = "MERIDIAN_STATE_LOCK_HOLDER";
const HOLDER_TEST: &str = "lock::tests::a_lock_held_by_a_killed_process_is_free";

/// Kills the child on every way out of the test.
struct Reap(std::process::Child);

impl Drop for Reap {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn a_lock_held_by_a_killed_process_is_free() {
    if let Ok(p) = std::env::var(HOLDER_ENV) {
        // The child: hold the lock until killed.
        let _lock = Lock::acquire(Path::new(&p), info("apply"), Duration::ZERO).expect("child");
        thread::sleep(Duration::from_secs(60));
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let path = lock_path(dir.path());
    let child = std::process::Command::new(std::env::current_exe().expect("exe"))
        .args(["--exact", HOLDER_TEST, "--nocapture", "--test-threads", "1"])
        .env(HOLDER_ENV, &path)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn");
    let mut child = Reap(child);
    let pid = child.0.id();
    // Wait for the child to hold the lock and write its information.
    let start = Instant::now();
    let holder = loop {
        if let Some(i) = read_info(&path).filter(|i| i.pid == pid) {
            break i;
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "child never locked"
        );
        thread::sleep(Duration::from_millis(20));
    };
    let (got, _) = held(Lock::acquire(
        &path,
        info("plan"),
        Duration::from_millis(100),
    ));
    assert_eq!(got.as_ref(), Some(&holder));
    let e = force_unlock(&path, &holder.id).expect_err("live holder");
    match &e {
        LockError::HeldByRunning { info, .. } => assert_eq!(info.pid, pid),
        _ => panic!("expected HeldByRunning, got {e:?}"),
    }
    // The holder dies without releasing: its file stays, but the lock is free.
    child.0.kill().expect("kill");
    child.0.wait().expect("wait");
    assert_eq!(read_info(&path), Some(holder.clone()), "file left behind");
    let lock = Lock::acquire(&path, info("plan"), Duration::ZERO).expect("stale lock taken");
    assert_ne!(lock.info().id, holder.id);
    drop(lock);
    // And a stale file can be force-unlocked.
    fs::write(&path, serde_json::to_vec(&holder).expect("json")).expect("write");
    assert_eq!(force_unlock(&path, &holder.id).expect("force").info, holder);
    assert!(!path.exists());
}

#[cfg(unix)]
#[test]
fn a_planted_link_as_the_lock_file_or_its_directory_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let spec = dir.path().join("spec");
    let outside = dir.path().join("outside");
    fs::create_dir_all(spec.join(".meridian")).expect("mkdir");
    fs::create_dir_all(&outside).expect("mkdir");
    let victim = outside.join("victim");
    fs::write(&victim, "precious\n").expect("write");
    let path = lock_path(&spec);
    std::os::unix::fs::symlink(&victim, &path).expect("symlink");
    let e = Lock::acquire(&path, info("apply"), Duration::ZERO).expect_err("refused");
    assert!(e.to_string().contains("is a symbolic link"), "{e}");
    assert!(matches!(
        force_unlock(&path, "x"),
        Err(LockError::Io { .. })
    ));
    assert_eq!(fs::read_to_string(&victim).expect("read"), "precious\n");
    // The directory a link.
    fs::remove_file(&path).expect("rm");
    fs::remove_dir(spec.join(".meridian")).expect("rmdir");
    std::os::unix::fs::symlink(&outside, spec.join(".meridian")).expect("symlink");
    let e = Lock::acquire(&path, info("apply"), Duration::ZERO).expect_err("refused");
    assert!(e.to_string().contains("is a symbolic link"), "{e}");
    assert_eq!(
        fs::read_dir(&outside).expect("dir").count(),
        1,
        "no lock file made outside"
    );
}
