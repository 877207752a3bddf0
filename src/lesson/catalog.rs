//! Where lessons come from: the curriculum built into the binary, or a folder of lesson files.

use std::path::{Path, PathBuf};

use super::{load_dir, parse, Lesson, LessonError};

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded_lessons.rs"));
}

/// The lessons a learner can pick from, in course order.
#[derive(Clone, Debug)]
pub struct Catalog {
    pub lessons: Vec<Lesson>,
    /// Where they came from, for messages (`built-in` or a folder).
    pub origin: String,
}

impl Catalog {
    /// The curriculum docktutor was built with.
    pub fn builtin() -> Result<Catalog, Vec<LessonError>> {
        let mut lessons = Vec::new();
        let mut errors = Vec::new();
        for (name, text) in embedded::EMBEDDED {
            match parse(&PathBuf::from("lessons").join(name), text) {
                Ok(l) => lessons.push(l),
                Err(e) => errors.push(e),
            }
        }
        if errors.is_empty() {
            Ok(Catalog {
                lessons,
                origin: "built-in lessons".into(),
            })
        } else {
            Err(errors)
        }
    }

    /// Every lesson file under `dir`.
    pub fn from_dir(dir: &Path) -> Result<Catalog, Vec<LessonError>> {
        Ok(Catalog {
            lessons: load_dir(dir)?,
            origin: dir.display().to_string(),
        })
    }

    /// `--lessons DIR` when given, the built-in curriculum otherwise.
    pub fn open(dir: Option<&Path>) -> Result<Catalog, Vec<LessonError>> {
        match dir {
            Some(d) => Catalog::from_dir(d),
            None => Catalog::builtin(),
        }
    }

    /// Find a lesson by id, by its number in the list (`3`), or by a curriculum unit (`000.5`).
    pub fn find(&self, key: &str) -> Result<usize, String> {
        if let Some(i) = self.lessons.iter().position(|l| l.id == key) {
            return Ok(i);
        }
        if let Ok(n) = key.parse::<usize>() {
            if (1..=self.lessons.len()).contains(&n) {
                return Ok(n - 1);
            }
        }
        if let Some(i) = self
            .lessons
            .iter()
            .position(|l| l.units.iter().any(|u| u == key))
        {
            return Ok(i);
        }
        let mut msg = format!("there is no lesson `{key}` in the {}", self.origin);
        if let Some(s) =
            crate::command::suggest::closest(key, self.lessons.iter().map(|l| l.id.as_str()))
        {
            msg.push_str(&format!("; did you mean `{s}`?"));
        } else {
            msg.push_str("; `docktutor lessons` lists them");
        }
        Err(msg)
    }
}
