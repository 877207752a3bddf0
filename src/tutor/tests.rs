use super::*;
use crate::engine::sim::SimEngine;

fn sim_factory() -> EngineFactory {
    Box::new(|| Ok(Box::new(SimEngine::deterministic(0)) as SendEngine))
}

fn lesson(text: &str) -> Lesson {
    crate::lesson::parse(std::path::Path::new("test.toml"), text).unwrap()
}

#[test]
fn a_named_volume_is_not_a_bind_mount_of_the_folder() {
    let l = lesson(
        r#"format = 1
id = "t"
title = "t"
[[step]]
id = "a"
text = "x"
solution = ["mkdir mydata", "docker run -i -t -v ./mydata:/data --name sandbox ubuntu /bin/bash"]
checks = [{ container = { ref = "sandbox", mount = "/data", bind = "mydata" }, fail = "no bind" }]
"#,
    );
    let dir = tempfile::tempdir().unwrap();
    let mut t = Tutor::start(l, sim_factory(), dir.path()).unwrap();
    t.input("mkdir mydata");
    t.input("docker run -i -t -v mydata:/data --name sandbox ubuntu /bin/bash");
    let f = t.failures();
    assert_eq!(f.len(), 1, "{f:?}");
    assert!(f[0].found.contains("the volume mydata at /data"), "{f:?}");
}
