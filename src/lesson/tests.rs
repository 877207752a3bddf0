use std::path::Path;

use super::*;

const GOOD: &str = r#"format = 1
id = "demo"
title = "Demo"
units = ["000.3"]

[[step]]
id = "one"
text = "Do it."
solution = ["docker run -i -t ubuntu /bin/bash", "exit"]
checks = [
  { containers = { image = "ubuntu", count = 1 }, fail = "No container yet." },
]
"#;

fn err(text: &str) -> String {
    parse(Path::new("l.toml"), text).unwrap_err().to_string()
}

#[test]
fn a_good_lesson_loads() {
    let l = parse(Path::new("l.toml"), GOOD).unwrap();
    assert_eq!(l.id, "demo");
    assert_eq!(l.steps[0].solution[0].line, 9);
    assert_eq!(l.steps[0].line, 6);
    assert_eq!(l.steps[0].checks[0].fail, "No container yet.");
}

#[test]
fn malformed_lessons_name_file_line_and_column() {
    let cases: &[(&str, &str, &str)] = &[
        // (what to replace, with what, expected message)
        ("format = 1", "format = 2", "l.toml:1:10: this lesson is written in format 2, but this docktutor reads format 1"),
        ("id = \"demo\"", "id = \"Demo Lesson\"", "l.toml:2:6: lesson id `Demo Lesson` must be lower-case"),
        ("units = [\"000.3\"]", "units = [\"3\"]", "l.toml:4:10: `3` is not a curriculum unit id"),
        ("count = 1 }", "count = \"one\" }", "l.toml:11:46: invalid type: string \"one\", expected usize"),
        ("containers = {", "containerz = {", "l.toml:11:5: unknown field `containerz`"),
        (", fail = \"No container yet.\" }", " }", "l.toml:11:3: this `containers` check needs `fail = \"…\"`"),
        ("\"docker run -i -t ubuntu /bin/bash\", \"exit\"", "\"docker run 'unclosed\"", "l.toml:9:13: `docker run 'unclosed` is not a valid command line"),
        ("solution = [\"docker run -i -t ubuntu /bin/bash\", \"exit\"]", "solution = []", "l.toml:9:12: step `one` needs a reference solution"),
        ("title = \"Demo\"", "", "missing field `title`"),
        ("checks = [", "checks = [ { file = { container = \"last\", path = \"/x\" }, image = { ref = \"x\" }, fail = \"x\" },", "a check has exactly one of"),
        ("units = [\"000.3\"]", "units = [\"000.3\"]\nneeds = [\"docker-hub\", \"the-internet\"]", "l.toml:5:24: `the-internet` is not something a lesson can need; expected one of `docker-hub`"),
        ("status", "status", ""),
    ];
    for (from, to, want) in cases {
        if want.is_empty() {
            continue;
        }
        assert!(GOOD.contains(from), "fixture lacks {from}");
        let text = GOOD.replacen(from, to, 1);
        let got = err(&text);
        assert!(
            got.contains(want),
            "\nreplacing {from:?}\n got: {got}\nwant: {want}"
        );
    }
}

#[test]
fn a_lesson_can_need_docker_hub() {
    let text = GOOD.replace(
        "units = [\"000.3\"]",
        "units = [\"000.3\"]\nneeds = [\"docker-hub\"]",
    );
    let l = parse(Path::new("l.toml"), &text).unwrap();
    assert_eq!(l.needs, vec![Need::DockerHub]);
    assert!(parse(Path::new("l.toml"), GOOD).unwrap().needs.is_empty());
}

#[test]
fn a_toml_syntax_error_points_at_the_spot() {
    let e = parse(Path::new("l.toml"), "format = 1\nid = \"x\ntitle = \"t\"\n").unwrap_err();
    assert_eq!((e.line, e.file.as_path()), (2, Path::new("l.toml")), "{e}");
    assert!(e.render().contains("2 | id = \"x"), "{}", e.render());
}

#[test]
fn setup_archives_are_tar_files_and_bad_paths_are_placed() {
    let text = GOOD.replace(
        "[[step]]",
        "[setup.archives]\n\"site.tar\" = { \"index.html\" = \"hi\\n\", \"css/a.css\" = \"b\" }\n\n[[step]]",
    );
    let l = parse(Path::new("l.toml"), &text).unwrap();
    let dir = tempfile::tempdir().unwrap();
    l.setup.write_files(dir.path()).unwrap();
    let data = std::fs::read(dir.path().join("site.tar")).unwrap();
    let mut archive = tar::Archive::new(&data[..]);
    let mut seen = Vec::new();
    for entry in archive.entries().unwrap() {
        let mut entry = entry.unwrap();
        let mut content = String::new();
        std::io::Read::read_to_string(&mut entry, &mut content).unwrap();
        seen.push((entry.path().unwrap().display().to_string(), content));
    }
    assert_eq!(
        seen,
        [
            ("css/".to_string(), String::new()),
            ("css/a.css".to_string(), "b".to_string()),
            ("index.html".to_string(), "hi\n".to_string()),
        ]
    );

    let bad = GOOD.replace(
        "[[step]]",
        "[setup.archives]\n\"../site.tar\" = { \"index.html\" = \"hi\" }\n\n[[step]]",
    );
    assert!(
        err(&bad).starts_with("l.toml:7:1: setup archive `../site.tar` must be a relative path"),
        "{}",
        err(&bad)
    );
    let bad = GOOD.replace(
        "[[step]]",
        "[setup]\nfiles = { \"/etc/x\" = \"hi\" }\n\n[[step]]",
    );
    assert!(
        err(&bad).starts_with("l.toml:7:11: setup file `/etc/x` must be a relative path"),
        "{}",
        err(&bad)
    );
}

#[test]
fn host_paths_cannot_leave_the_workspace() {
    let text = GOOD.replace(
        "{ containers = { image = \"ubuntu\", count = 1 }",
        "{ host = { path = \"../../etc/passwd\" }",
    );
    assert!(err(&text).contains("must stay inside the workspace"));
}

#[test]
fn the_shipped_curriculum_loads_and_covers_notes_000_and_001() {
    let lessons = load_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("lessons")).unwrap();
    let units: std::collections::BTreeSet<&str> = lessons
        .iter()
        .flat_map(|l| l.units.iter().map(String::as_str))
        .collect();
    for unit in [
        "000.1", "000.2", "000.3", "000.4", "000.5", "000.6", "000.7", "000.8", "000.9", "000.10",
        "001.4", "001.5", "001.6", "001.7", "001.8", "001.9", "001.10", "001.11", "002.8", "002.9",
        "002.10", "002.11", "002.12", "002.13", "002.14", "003.1", "003.2", "003.3", "003.4",
        "003.5", "003.6", "003.7", "003.8", "003.9", "003.10", "003.11", "003.12", "003.13",
        "003.14", "004.2", "004.3", "004.4", "004.5", "004.6", "004.7", "004.9",
    ] {
        assert!(units.contains(unit), "no lesson covers {unit}");
    }
}
