//! How the tutor's events look in a terminal. Pure functions of the event, so insta can
//! snapshot them (colour off).

use crate::lesson::Lesson;
use crate::progress::LessonProgress;
use crate::render::markdown::to_terminal;
use crate::render::style::{paint, Role};
use crate::session::LineResult;
use crate::tutor::{Event, Failure};

/// Text width for lesson prose.
pub const WIDTH: usize = 78;

pub fn lesson_banner(lesson: &Lesson) -> String {
    let mut out = String::new();
    let units = if lesson.units.is_empty() {
        String::new()
    } else {
        format!("  [{}]", lesson.units.join(", "))
    };
    out.push_str(&format!(
        "\n{}{}\n",
        paint(Role::Title, &lesson.title),
        paint(Role::Dim, &units)
    ));
    if !lesson.intro.trim().is_empty() {
        out.push('\n');
        out.push_str(&to_terminal(&lesson.intro, WIDTH, "  "));
    }
    out
}

/// A command's output as a terminal shows it: stdout, then stderr, then docktutor's notes.
pub fn command_output(r: &LineResult) -> String {
    let mut out = String::new();
    out.push_str(&r.stdout);
    out.push_str(&r.stderr);
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
    for note in &r.notes {
        out.push_str(&paint(Role::Dim, &format!("docktutor: {note}")));
        out.push('\n');
    }
    out
}

fn failure_lines(failures: &[Failure]) -> String {
    let mut out = String::new();
    for f in failures {
        out.push_str(&format!("  {} {}\n", paint(Role::Failure, "✗"), f.sentence));
        out.push_str(&format!(
            "    {}\n",
            paint(Role::Dim, &format!("found: {}", f.found))
        ));
    }
    out
}

pub fn event(e: &Event) -> String {
    match e {
        Event::Output(r) => command_output(r),
        Event::Replayed(r) => {
            let mut out = format!("  {} {}\n", paint(Role::Dim, "»"), paint(Role::Command, &r.line));
            out.push_str(&command_output(r));
            out
        }
        Event::StepIntro {
            index,
            total,
            title,
            text,
        } => {
            let head = match title {
                Some(t) => format!("Step {}/{}: {t}", index + 1, total),
                None => format!("Step {}/{}", index + 1, total),
            };
            format!(
                "\n{}\n\n{}\n",
                paint(Role::Heading, &format!("── {head} ──")),
                to_terminal(text, WIDTH, "  ").trim_end()
            )
        }
        Event::StepPassed { explain, .. } => {
            let mut out = format!("\n{}\n", paint(Role::Success, "✔ Step done."));
            if !explain.trim().is_empty() {
                out.push('\n');
                out.push_str(to_terminal(explain, WIDTH, "  ").trim_end());
                out.push('\n');
            }
            out
        }
        Event::LessonComplete { title, outro } => {
            let mut out = format!(
                "\n{}\n",
                paint(Role::Success, &format!("★ Lesson complete: {title}"))
            );
            if !outro.trim().is_empty() {
                out.push('\n');
                out.push_str(to_terminal(outro, WIDTH, "  ").trim_end());
                out.push('\n');
            }
            out.push_str(&format!(
                "\n{}\n",
                paint(
                    Role::Dim,
                    "Keep experimenting here, `:next` for the next lesson, `:lessons` for the list, `:quit` to leave."
                )
            ));
            out
        }
        Event::NotYet { failure } => format!(
            "{} {} {}\n",
            paint(Role::Hint, "· Not yet:"),
            failure.sentence,
            paint(Role::Dim, &format!("(found: {}; `:hint` helps)", failure.found))
        ),
        Event::WrongAttempt { hint } => format!(
            "{}\n",
            to_terminal(&format!("**Careful:** {hint}"), WIDTH, "").trim_end()
        )
        .replace("Careful:", &paint(Role::Hint, "Careful:")),
        Event::Hint {
            text,
            number,
            total,
        } => format!(
            "{} {}\n",
            paint(Role::Hint, &format!("Hint {number}/{total}:")),
            to_terminal(text, WIDTH, "").trim()
        ),
        Event::Why { failures } if failures.is_empty() => {
            "Every check of this step holds.\n".to_string()
        }
        Event::Why { failures } => {
            format!("This step is not done yet:\n{}", failure_lines(failures))
        }
        Event::Solution { lines } => {
            let mut out = String::from("The reference solution (lines after `docker run -i -t …` are typed inside the container):\n");
            for l in lines {
                out.push_str(&format!("    {}\n", paint(Role::Command, l)));
            }
            out
        }
        Event::SkipDiverged { failures } => format!(
            "{}\n{}{}\n",
            paint(
                Role::Hint,
                "The solution ran, but this step's checks still fail — your earlier commands left a different state:"
            ),
            failure_lines(failures),
            paint(Role::Dim, "`:reset` starts this step again from the state it expects.")
        ),
        Event::State(picture) => picture.clone(),
        Event::Info(text) => format!("{text}\n"),
    }
}

/// One line of `docktutor lessons` / `:lessons`.
pub fn lesson_line(n: usize, lesson: &Lesson, progress: Option<&LessonProgress>) -> String {
    let total = lesson.steps.len();
    let done = progress.map_or(0, |p| {
        lesson
            .steps
            .iter()
            .filter(|s| p.steps_done.contains(&s.id))
            .count()
    });
    let mark = match progress {
        Some(p) if p.completed => paint(Role::Success, "✔"),
        _ if done > 0 => paint(Role::Hint, "…"),
        _ => " ".to_string(),
    };
    format!(
        "{mark} {n:>2}. {:<22} {}  {}\n",
        lesson.id,
        lesson.title,
        paint(
            Role::Dim,
            &format!("({done}/{total} steps; {})", lesson.units.join(", "))
        )
    )
}

pub const HELP: &str = "\
Type docker commands as you would in a terminal: `docker run -i -t ubuntu /bin/bash`.
At the host prompt `$` you can also use ls, cat, cp, ln, mkdir, cd, echo, pwd, rm, touch (in
this lesson's own workspace folder). Inside a container, type its shell's commands; `exit` or
Ctrl-D leaves it.

  :hint       the next hint for this step
  :why        which checks of this step do not hold yet, and what was found
  :solution   show the reference solution (asks first)
  :skip       run the reference solution and go to the next step
  :reset      start this step again (`:reset lesson` starts the lesson again)
  :state      images, and the containers made from them
  :lessons    the lessons and your progress; `:go ID` opens another one
  :next       the next lesson
  :help       this text
  :quit       leave (your progress is saved)
";
