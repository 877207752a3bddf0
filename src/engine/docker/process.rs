//! Driving an attached process line by line without a tty.
//!
//! The REPL hands the engine one typed line at a time and wants back "the output that line
//! produced". A real process gives no such boundary, so after each line sent to a shell the
//! tutor sends a marker command (`echo __dt_…_$PWD` on stdout and on stderr) and reads until
//! both markers come back; the marker also tells the shell's working directory, for the prompt.
//! Processes that are not shells (`cat`, a REPL of some language) are read until they have been
//! quiet for a moment instead.

use std::pin::Pin;
use std::time::Duration;

use bollard::container::LogOutput;
use futures_util::{Stream, StreamExt};
use tokio::io::{AsyncWrite, AsyncWriteExt};
use tokio::time::Instant;

type Output = Pin<Box<dyn Stream<Item = Result<LogOutput, bollard::errors::Error>> + Send>>;
type Input = Pin<Box<dyn AsyncWrite + Send>>;

/// How long a line typed into a shell may run before the tutor gives the prompt back.
const LINE_TIMEOUT: Duration = Duration::from_secs(20);
/// A process in the foreground without input (`docker run image cmd`) is waited for this long.
pub const FOREGROUND_TIMEOUT: Duration = Duration::from_secs(30);
/// Output of a process that is not a shell is complete after this much silence.
const QUIET: Duration = Duration::from_millis(300);

/// Which shell is reading the lines, for the prompt a terminal would show.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShellFlavor {
    Bash,
    Sh,
}

impl ShellFlavor {
    /// The shell a command line starts, if it is one the marker protocol works with.
    pub fn of_command(argv: &[String]) -> Option<Self> {
        let first = argv.first()?;
        let base = first.rsplit('/').next().unwrap_or(first);
        // `sh -c '…'` runs a script, not lines from stdin.
        if argv.iter().skip(1).any(|a| a == "-c") {
            return None;
        }
        match base {
            "bash" => Some(ShellFlavor::Bash),
            "sh" | "ash" | "dash" => Some(ShellFlavor::Sh),
            _ => None,
        }
    }
}

/// How a prompt is drawn, when the learner asked for a tty.
#[derive(Clone, Debug)]
pub struct PromptStyle {
    pub flavor: ShellFlavor,
    pub hostname: String,
    pub root: bool,
}

impl PromptStyle {
    pub fn render(&self, cwd: &str) -> String {
        let sign = if self.root { '#' } else { '$' };
        match self.flavor {
            ShellFlavor::Bash => {
                let home = if self.root { "/root" } else { "" };
                let shown = if !home.is_empty() && cwd == home {
                    "~".to_string()
                } else if let Some(rest) = cwd
                    .strip_prefix(&format!("{home}/"))
                    .filter(|_| !home.is_empty())
                {
                    format!("~/{rest}")
                } else {
                    cwd.to_string()
                };
                format!("root@{}:{shown}{sign} ", self.hostname)
            }
            ShellFlavor::Sh => format!("{cwd} {sign} "),
        }
    }
}

/// An attached process: its output stream, its stdin, and how to find the end of a reply.
pub struct Attached {
    output: Output,
    input: Option<Input>,
    shell: Option<ShellFlavor>,
    pub prompt: Option<PromptStyle>,
    /// A token unique to this process, so its markers are never mistaken for output.
    token: String,
    sequence: u64,
    /// Bytes read but not yet returned (a marker arrived after its timeout, say).
    pending_out: Vec<u8>,
    pending_err: Vec<u8>,
    pub ended: bool,
    pub cwd: String,
}

/// What one exchange produced.
#[derive(Debug, Default)]
pub struct Reply {
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    pub ended: bool,
}

impl Attached {
    pub fn new(
        output: Output,
        input: Option<Input>,
        shell: Option<ShellFlavor>,
        token: String,
    ) -> Self {
        Attached {
            output,
            input,
            shell,
            prompt: None,
            token,
            sequence: 0,
            pending_out: Vec::new(),
            pending_err: Vec::new(),
            ended: false,
            cwd: "/".into(),
        }
    }

    pub fn accepts_input(&self) -> bool {
        self.input.is_some() && !self.ended
    }

    pub fn prompt_text(&self) -> Option<String> {
        self.prompt.as_ref().map(|p| p.render(&self.cwd))
    }

    /// Right after start: let a shell settle (and learn its directory), or collect what a
    /// process prints before it wants input.
    pub async fn settle(&mut self) -> Reply {
        if self.input.is_none() {
            return self.read_to_end(FOREGROUND_TIMEOUT).await;
        }
        match self.shell {
            Some(_) => self.send(b"").await,
            None => self.read_quiet().await,
        }
    }

    /// Send one chunk of input (a typed line with its newline, or piped data) and collect what
    /// it produced.
    pub async fn send(&mut self, data: &[u8]) -> Reply {
        let Some(input) = self.input.as_mut() else {
            return Reply {
                ended: self.ended,
                ..Reply::default()
            };
        };
        let mut payload = data.to_vec();
        if !payload.is_empty() && !payload.ends_with(b"\n") {
            payload.push(b'\n');
        }
        let marker = self.shell.map(|_| {
            self.sequence += 1;
            format!("__dt_{}_{}", self.token, self.sequence)
        });
        if let Some(m) = &marker {
            // `$?` survives the marker, so a later `exit` without a number ends with the
            // status of the learner's last command, as it would at a terminal.
            payload.extend_from_slice(
                format!("__dt_s=$?; echo \"{m}_$PWD\"; echo {m} >&2; (exit $__dt_s)\n").as_bytes(),
            );
        }
        if input.write_all(&payload).await.is_err() || input.flush().await.is_err() {
            // The process has gone: what it printed is still in the stream.
            return self.read_to_end(LINE_TIMEOUT).await;
        }
        match marker {
            Some(m) => self.read_until_marker(&m).await,
            None => self.read_quiet().await,
        }
    }

    /// Close stdin (Ctrl-D, end of piped data) and collect the rest.
    pub async fn close_stdin(&mut self) -> Reply {
        if let Some(mut input) = self.input.take() {
            let _ = input.shutdown().await;
        }
        self.read_to_end(LINE_TIMEOUT).await
    }

    /// Read until the stream ends or `limit` passes.
    pub async fn read_to_end(&mut self, limit: Duration) -> Reply {
        let deadline = Instant::now() + limit;
        while !self.ended {
            match tokio::time::timeout_at(deadline, self.output.next()).await {
                Err(_) => break,
                Ok(item) => self.take(item),
            }
        }
        self.reply()
    }

    async fn read_quiet(&mut self) -> Reply {
        let deadline = Instant::now() + LINE_TIMEOUT;
        while !self.ended && Instant::now() < deadline {
            match tokio::time::timeout(QUIET, self.output.next()).await {
                Err(_) => break,
                Ok(item) => self.take(item),
            }
        }
        self.reply()
    }

    async fn read_until_marker(&mut self, marker: &str) -> Reply {
        let deadline = Instant::now() + LINE_TIMEOUT;
        let out_marker = format!("{marker}_");
        let err_marker = format!("{marker}\n");
        loop {
            let out_at = find(&self.pending_out, out_marker.as_bytes());
            let err_at = find(&self.pending_err, err_marker.as_bytes());
            if let (Some(o), Some(e)) = (out_at, err_at) {
                let line_end = self.pending_out[o..]
                    .iter()
                    .position(|&b| b == b'\n')
                    .map(|p| o + p + 1);
                if let Some(end) = line_end {
                    let cwd = &self.pending_out[o + out_marker.len()..end - 1];
                    self.cwd = String::from_utf8_lossy(cwd).into_owned();
                    let rest_out = self.pending_out.split_off(end);
                    self.pending_out.truncate(o);
                    let rest_err = self.pending_err.split_off(e + err_marker.len());
                    self.pending_err.truncate(e);
                    let reply = self.reply();
                    self.pending_out = rest_out;
                    self.pending_err = rest_err;
                    return reply;
                }
            }
            if self.ended {
                return self.reply();
            }
            match tokio::time::timeout_at(deadline, self.output.next()).await {
                Err(_) => return self.reply(),
                Ok(item) => self.take(item),
            }
        }
    }

    fn take(&mut self, item: Option<Result<LogOutput, bollard::errors::Error>>) {
        match item {
            None | Some(Err(_)) => self.ended = true,
            Some(Ok(LogOutput::StdErr { message })) => self.pending_err.extend_from_slice(&message),
            Some(Ok(LogOutput::StdOut { message } | LogOutput::Console { message })) => {
                self.pending_out.extend_from_slice(&message)
            }
            Some(Ok(LogOutput::StdIn { .. })) => {}
        }
    }

    /// Hand back what was collected, minus markers of lines that timed out earlier.
    fn reply(&mut self) -> Reply {
        let prefix = format!("__dt_{}_", self.token);
        Reply {
            stdout: strip_markers(std::mem::take(&mut self.pending_out), prefix.as_bytes()),
            stderr: strip_markers(std::mem::take(&mut self.pending_err), prefix.as_bytes()),
            ended: self.ended,
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Remove every `__dt_<token>_…` up to and including its newline.
fn strip_markers(mut bytes: Vec<u8>, prefix: &[u8]) -> Vec<u8> {
    while let Some(at) = find(&bytes, prefix) {
        let end = bytes[at..]
            .iter()
            .position(|&b| b == b'\n')
            .map(|p| at + p + 1)
            .unwrap_or(bytes.len());
        bytes.drain(at..end);
    }
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;

    fn attached(items: Vec<LogOutput>) -> Attached {
        let stream = futures_util::stream::iter(items.into_iter().map(Ok));
        Attached::new(Box::pin(stream), None, Some(ShellFlavor::Sh), "t".into())
    }

    fn rt() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
    }

    #[test]
    fn marker_splits_output_and_sets_cwd() {
        let mut a = attached(vec![
            LogOutput::StdOut {
                message: Bytes::from_static(b"hi__dt_t_1_/data\nlater"),
            },
            LogOutput::StdErr {
                message: Bytes::from_static(b"oops\n__dt_t_1\n"),
            },
        ]);
        let reply = rt().block_on(a.read_until_marker("__dt_t_1"));
        assert_eq!(reply.stdout, b"hi");
        assert_eq!(reply.stderr, b"oops\n");
        assert_eq!(a.cwd, "/data");
        assert_eq!(a.pending_out, b"later");
    }

    #[test]
    fn stale_markers_are_removed() {
        assert_eq!(
            strip_markers(b"a\n__dt_t_3_/\nb\n".to_vec(), b"__dt_t_"),
            b"a\nb\n"
        );
        assert_eq!(strip_markers(b"x__dt_t_3".to_vec(), b"__dt_t_"), b"x");
    }

    #[test]
    fn end_of_stream_before_marker_is_an_exit() {
        let mut a = attached(vec![LogOutput::StdOut {
            message: Bytes::from_static(b"bye\n"),
        }]);
        let reply = rt().block_on(a.read_until_marker("__dt_t_1"));
        assert!(reply.ended);
        assert_eq!(reply.stdout, b"bye\n");
    }

    #[test]
    fn shells_are_recognised() {
        let argv = |s: &str| s.split(' ').map(str::to_string).collect::<Vec<_>>();
        assert_eq!(
            ShellFlavor::of_command(&argv("/bin/bash")),
            Some(ShellFlavor::Bash)
        );
        assert_eq!(ShellFlavor::of_command(&argv("sh")), Some(ShellFlavor::Sh));
        assert_eq!(ShellFlavor::of_command(&argv("sh -c true")), None);
        assert_eq!(ShellFlavor::of_command(&argv("cat")), None);
    }

    #[test]
    fn prompts_look_like_a_terminal() {
        let bash = PromptStyle {
            flavor: ShellFlavor::Bash,
            hostname: "748bbf68455d".into(),
            root: true,
        };
        assert_eq!(bash.render("/"), "root@748bbf68455d:/# ");
        assert_eq!(bash.render("/root"), "root@748bbf68455d:~# ");
        assert_eq!(bash.render("/root/x"), "root@748bbf68455d:~/x# ");
        let sh = PromptStyle {
            flavor: ShellFlavor::Sh,
            hostname: "h".into(),
            root: true,
        };
        assert_eq!(sh.render("/data"), "/data # ");
    }
}
