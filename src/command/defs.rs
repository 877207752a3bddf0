//! One flag table per docker subcommand: the single source of truth for parsing, `--help` and
//! completion. Texts are docker 28's, taken from its `--help` output.

use super::spec::{ArgSpec, Cmd, CommandSpec, FlagKind, FlagSpec};

const fn b(long: &'static str, short: Option<char>, help: &'static str) -> FlagSpec {
    FlagSpec {
        long,
        short,
        kind: FlagKind::Bool,
        value_name: "",
        help,
        default: None,
        modelled: true,
    }
}
const fn v(
    long: &'static str,
    short: Option<char>,
    value_name: &'static str,
    help: &'static str,
) -> FlagSpec {
    FlagSpec {
        long,
        short,
        kind: FlagKind::Value,
        value_name,
        help,
        default: None,
        modelled: true,
    }
}
const fn l(
    long: &'static str,
    short: Option<char>,
    value_name: &'static str,
    help: &'static str,
) -> FlagSpec {
    FlagSpec {
        long,
        short,
        kind: FlagKind::List,
        value_name,
        help,
        default: None,
        modelled: true,
    }
}
/// A flag docker has that the simulator keeps but does not model.
const fn unmodelled(f: FlagSpec) -> FlagSpec {
    FlagSpec {
        modelled: false,
        ..f
    }
}
const fn dflt(f: FlagSpec, default: &'static str) -> FlagSpec {
    FlagSpec {
        default: Some(default),
        ..f
    }
}

const FORMAT_HELP: &str =
    "Format output using a custom template: 'table', 'table TEMPLATE', 'json' or a Go template";

/// Options accepted before the subcommand (`docker -H unix:///… ps`).
pub static GLOBAL_FLAGS: &[FlagSpec] = &[
    v("config", None, "string", "Location of client config files"),
    v(
        "context",
        Some('c'),
        "string",
        "Name of the context to use to connect to the daemon",
    ),
    b("debug", Some('D'), "Enable debug mode"),
    l("host", Some('H'), "list", "Daemon socket to connect to"),
    v(
        "log-level",
        Some('l'),
        "string",
        "Set the logging level (\"debug\", \"info\", \"warn\", \"error\", \"fatal\")",
    ),
    b("tls", None, "Use TLS; implied by --tlsverify"),
    v(
        "tlscacert",
        None,
        "string",
        "Trust certs signed only by this CA",
    ),
    v("tlscert", None, "string", "Path to TLS certificate file"),
    v("tlskey", None, "string", "Path to TLS key file"),
    b("tlsverify", None, "Use TLS and verify the remote"),
    b("version", Some('v'), "Print version information and quit"),
];

static RUN_FLAGS: &[FlagSpec] = &[
    l(
        "attach",
        Some('a'),
        "list",
        "Attach to STDIN, STDOUT or STDERR",
    ),
    unmodelled(l("cap-add", None, "list", "Add Linux capabilities")),
    v(
        "cidfile",
        None,
        "string",
        "Write the container ID to the file",
    ),
    v(
        "cpu-shares",
        Some('c'),
        "int",
        "CPU shares (relative weight)",
    ),
    v(
        "cpuset-cpus",
        None,
        "string",
        "CPUs in which to allow execution (0-3, 0,1)",
    ),
    b(
        "detach",
        Some('d'),
        "Run container in background and print container ID",
    ),
    unmodelled(l(
        "device",
        None,
        "list",
        "Add a host device to the container",
    )),
    l("dns", None, "list", "Set custom DNS servers"),
    v(
        "entrypoint",
        None,
        "string",
        "Overwrite the default ENTRYPOINT of the image",
    ),
    l("env", Some('e'), "list", "Set environment variables"),
    l(
        "env-file",
        None,
        "list",
        "Read in a file of environment variables",
    ),
    l("expose", None, "list", "Expose a port or a range of ports"),
    v(
        "gpus",
        None,
        "gpu-request",
        "GPU devices to add to the container ('all' to pass all GPUs)",
    ),
    v("hostname", Some('h'), "string", "Container host name"),
    b(
        "interactive",
        Some('i'),
        "Keep STDIN open even if not attached",
    ),
    unmodelled(v("ipc", None, "string", "IPC mode to use")),
    l("label", Some('l'), "list", "Set meta data on a container"),
    unmodelled(l("link", None, "list", "Add link to another container")),
    v("memory", Some('m'), "bytes", "Memory limit"),
    unmodelled(l(
        "mount",
        None,
        "mount",
        "Attach a filesystem mount to the container",
    )),
    v("name", None, "string", "Assign a name to the container"),
    v(
        "network",
        None,
        "network",
        "Connect a container to a network",
    ),
    v(
        "net",
        None,
        "network",
        "Connect a container to a network (an old spelling of --network)",
    ),
    unmodelled(v("pid", None, "string", "PID namespace to use")),
    v(
        "platform",
        None,
        "string",
        "Set platform if server is multi-platform capable",
    ),
    b(
        "privileged",
        None,
        "Give extended privileges to this container",
    ),
    l(
        "publish",
        Some('p'),
        "list",
        "Publish a container's port(s) to the host",
    ),
    b(
        "publish-all",
        Some('P'),
        "Publish all exposed ports to random ports",
    ),
    v(
        "pull",
        None,
        "string",
        "Pull image before running (\"always\", \"missing\", \"never\")",
    ),
    v(
        "restart",
        None,
        "string",
        "Restart policy to apply when a container exits",
    ),
    b(
        "rm",
        None,
        "Automatically remove the container and its associated anonymous volumes when it exits",
    ),
    unmodelled(l("security-opt", None, "list", "Security Options")),
    dflt(
        b("sig-proxy", None, "Proxy received signals to the process"),
        "true",
    ),
    b("tty", Some('t'), "Allocate a pseudo-TTY"),
    v(
        "user",
        Some('u'),
        "string",
        "Username or UID (format: \"<name|uid>[:<group|gid>]\")",
    ),
    unmodelled(v("uts", None, "string", "UTS namespace to use")),
    l("volume", Some('v'), "list", "Bind mount a volume"),
    unmodelled(l(
        "volumes-from",
        None,
        "list",
        "Mount volumes from the specified container(s)",
    )),
    v(
        "workdir",
        Some('w'),
        "string",
        "Working directory inside the container",
    ),
];

static EXEC_FLAGS: &[FlagSpec] = &[
    b(
        "detach",
        Some('d'),
        "Detached mode: run command in the background",
    ),
    v(
        "detach-keys",
        None,
        "string",
        "Override the key sequence for detaching a container",
    ),
    l("env", Some('e'), "list", "Set environment variables"),
    l(
        "env-file",
        None,
        "list",
        "Read in a file of environment variables",
    ),
    b(
        "interactive",
        Some('i'),
        "Keep STDIN open even if not attached",
    ),
    b(
        "privileged",
        None,
        "Give extended privileges to the command",
    ),
    b("tty", Some('t'), "Allocate a pseudo-TTY"),
    v(
        "user",
        Some('u'),
        "string",
        "Username or UID (format: \"<name|uid>[:<group|gid>]\")",
    ),
    v(
        "workdir",
        Some('w'),
        "string",
        "Working directory inside the container",
    ),
];

static PS_FLAGS: &[FlagSpec] = &[
    b(
        "all",
        Some('a'),
        "Show all containers (default shows just running)",
    ),
    l(
        "filter",
        Some('f'),
        "filter",
        "Filter output based on conditions provided",
    ),
    v("format", None, "string", FORMAT_HELP),
    dflt(
        v(
            "last",
            Some('n'),
            "int",
            "Show n last created containers (includes all states)",
        ),
        "-1",
    ),
    b(
        "latest",
        Some('l'),
        "Show the latest created container (includes all states)",
    ),
    b("no-trunc", None, "Don't truncate output"),
    b("quiet", Some('q'), "Only display container IDs"),
    b("size", Some('s'), "Display total file sizes"),
];

static IMAGES_FLAGS: &[FlagSpec] = &[
    b(
        "all",
        Some('a'),
        "Show all images (default hides intermediate images)",
    ),
    b("digests", None, "Show digests"),
    l(
        "filter",
        Some('f'),
        "filter",
        "Filter output based on conditions provided",
    ),
    v("format", None, "string", FORMAT_HELP),
    b("no-trunc", None, "Don't truncate output"),
    b("quiet", Some('q'), "Only show image IDs"),
];

static LOGS_FLAGS: &[FlagSpec] = &[
    b("details", None, "Show extra details provided to logs"),
    b("follow", Some('f'), "Follow log output"),
    v(
        "since",
        None,
        "string",
        "Show logs since timestamp or relative (e.g. 42m for 42 minutes)",
    ),
    dflt(
        v(
            "tail",
            Some('n'),
            "string",
            "Number of lines to show from the end of the logs",
        ),
        "\"all\"",
    ),
    b("timestamps", Some('t'), "Show timestamps"),
    v(
        "until",
        None,
        "string",
        "Show logs before a timestamp or relative (e.g. 42m for 42 minutes)",
    ),
];

static START_FLAGS: &[FlagSpec] = &[
    b(
        "attach",
        Some('a'),
        "Attach STDOUT/STDERR and forward signals",
    ),
    v(
        "detach-keys",
        None,
        "string",
        "Override the key sequence for detaching a container",
    ),
    b("interactive", Some('i'), "Attach container's STDIN"),
];

static STOP_FLAGS: &[FlagSpec] = &[
    v(
        "signal",
        Some('s'),
        "string",
        "Signal to send to the container",
    ),
    v(
        "timeout",
        Some('t'),
        "int",
        "Seconds to wait before killing the container",
    ),
    v(
        "time",
        None,
        "int",
        "Seconds to wait before killing the container (deprecated: use --timeout)",
    ),
];

static KILL_FLAGS: &[FlagSpec] = &[v(
    "signal",
    Some('s'),
    "string",
    "Signal to send to the container",
)];

static RM_FLAGS: &[FlagSpec] = &[
    b(
        "force",
        Some('f'),
        "Force the removal of a running container (uses SIGKILL)",
    ),
    b("link", Some('l'), "Remove the specified link"),
    b(
        "volumes",
        Some('v'),
        "Remove anonymous volumes associated with the container",
    ),
];

static RMI_FLAGS: &[FlagSpec] = &[
    b("force", Some('f'), "Force removal of the image"),
    b("no-prune", None, "Do not delete untagged parents"),
];

static BUILD_FLAGS: &[FlagSpec] = &[
    l("build-arg", None, "list", "Set build-time variables"),
    v(
        "file",
        Some('f'),
        "string",
        "Name of the Dockerfile (Default is \"PATH/Dockerfile\")",
    ),
    l("label", None, "list", "Set metadata for an image"),
    b("no-cache", None, "Do not use cache when building the image"),
    v(
        "platform",
        None,
        "string",
        "Set platform if server is multi-platform capable",
    ),
    b(
        "pull",
        None,
        "Always attempt to pull a newer version of the image",
    ),
    b(
        "quiet",
        Some('q'),
        "Suppress the build output and print image ID on success",
    ),
    dflt(
        b(
            "rm",
            None,
            "Remove intermediate containers after a successful build",
        ),
        "true",
    ),
    l(
        "tag",
        Some('t'),
        "list",
        "Name and optionally a tag in the \"name:tag\" format",
    ),
    v(
        "target",
        None,
        "string",
        "Set the target build stage to build.",
    ),
];

static COMMIT_FLAGS: &[FlagSpec] = &[
    v(
        "author",
        Some('a'),
        "string",
        "Author (e.g., \"John Hannibal Smith <hannibal@a-team.com>\")",
    ),
    l(
        "change",
        Some('c'),
        "list",
        "Apply Dockerfile instruction to the created image",
    ),
    v("message", Some('m'), "string", "Commit message"),
    dflt(
        b("pause", Some('p'), "Pause container during commit"),
        "true",
    ),
];

static CP_FLAGS: &[FlagSpec] = &[
    b("archive", Some('a'), "Archive mode (copy all uid/gid information)"),
    b("follow-link", Some('L'), "Always follow symbol link in SRC_PATH"),
    b("quiet", Some('q'), "Suppress progress output during copy. Progress output is automatically suppressed if no terminal is attached"),
];

static INSPECT_FLAGS: &[FlagSpec] = &[
    v("format", Some('f'), "string", FORMAT_HELP),
    b(
        "size",
        Some('s'),
        "Display total file sizes if the type is container",
    ),
    v(
        "type",
        None,
        "string",
        "Only inspect objects of the given type",
    ),
];

static TYPED_INSPECT_FLAGS: &[FlagSpec] = &[
    v("format", Some('f'), "string", FORMAT_HELP),
    b("size", Some('s'), "Display total file sizes"),
];

static HISTORY_FLAGS: &[FlagSpec] = &[
    v("format", None, "string", FORMAT_HELP),
    dflt(
        b(
            "human",
            Some('H'),
            "Print sizes and dates in human readable format",
        ),
        "true",
    ),
    b("no-trunc", None, "Don't truncate output"),
    b("quiet", Some('q'), "Only show image IDs"),
];

static CONTAINER_PRUNE_FLAGS: &[FlagSpec] = &[
    l(
        "filter",
        None,
        "filter",
        "Provide filter values (e.g. \"until=<timestamp>\")",
    ),
    b("force", Some('f'), "Do not prompt for confirmation"),
];

static IMAGE_PRUNE_FLAGS: &[FlagSpec] = &[
    b(
        "all",
        Some('a'),
        "Remove all unused images, not just dangling ones",
    ),
    l(
        "filter",
        None,
        "filter",
        "Provide filter values (e.g. \"until=<timestamp>\")",
    ),
    b("force", Some('f'), "Do not prompt for confirmation"),
];

static SYSTEM_PRUNE_FLAGS: &[FlagSpec] = &[
    b(
        "all",
        Some('a'),
        "Remove all unused images not just dangling ones",
    ),
    l(
        "filter",
        None,
        "filter",
        "Provide filter values (e.g. \"label=<key>=<value>\")",
    ),
    b("force", Some('f'), "Do not prompt for confirmation"),
    b("volumes", None, "Prune anonymous volumes"),
];

static LOGIN_FLAGS: &[FlagSpec] = &[
    v(
        "password",
        Some('p'),
        "string",
        "Password or Personal Access Token (PAT)",
    ),
    b(
        "password-stdin",
        None,
        "Take the Password or Personal Access Token (PAT) from stdin",
    ),
    v("username", Some('u'), "string", "Username"),
];

static PULL_FLAGS: &[FlagSpec] = &[
    b(
        "all-tags",
        Some('a'),
        "Download all tagged images in the repository",
    ),
    v(
        "platform",
        None,
        "string",
        "Set platform if server is multi-platform capable",
    ),
    b("quiet", Some('q'), "Suppress verbose output"),
];

static PUSH_FLAGS: &[FlagSpec] = &[
    b(
        "all-tags",
        Some('a'),
        "Push all tags of an image to the repository",
    ),
    b("quiet", Some('q'), "Suppress verbose output"),
];

static SAVE_FLAGS: &[FlagSpec] = &[v(
    "output",
    Some('o'),
    "string",
    "Write to a file, instead of STDOUT",
)];
static EXPORT_FLAGS: &[FlagSpec] = &[v(
    "output",
    Some('o'),
    "string",
    "Write to a file, instead of STDOUT",
)];
static LOAD_FLAGS: &[FlagSpec] = &[
    v(
        "input",
        Some('i'),
        "string",
        "Read from tar archive file, instead of STDIN",
    ),
    b("quiet", Some('q'), "Suppress the load output"),
];
static IMPORT_FLAGS: &[FlagSpec] = &[
    l(
        "change",
        Some('c'),
        "list",
        "Apply Dockerfile instruction to the created image",
    ),
    v(
        "message",
        Some('m'),
        "string",
        "Set commit message for imported image",
    ),
];
static SEARCH_FLAGS: &[FlagSpec] = &[
    l(
        "filter",
        Some('f'),
        "filter",
        "Filter output based on conditions provided",
    ),
    v(
        "format",
        None,
        "string",
        "Pretty-print search using a Go template",
    ),
    v("limit", None, "int", "Max number of search results"),
    b("no-trunc", None, "Don't truncate output"),
];
static EVENTS_FLAGS: &[FlagSpec] = &[
    l(
        "filter",
        Some('f'),
        "filter",
        "Filter output based on conditions provided",
    ),
    v("format", None, "string", FORMAT_HELP),
    v(
        "since",
        None,
        "string",
        "Show all events created since timestamp",
    ),
    v(
        "until",
        None,
        "string",
        "Stream events until this timestamp",
    ),
];
static FORMAT_ONLY: &[FlagSpec] = &[v("format", Some('f'), "string", FORMAT_HELP)];
static STATS_FLAGS: &[FlagSpec] = &[
    b(
        "all",
        Some('a'),
        "Show all containers (default shows just running)",
    ),
    v("format", None, "string", FORMAT_HELP),
    b(
        "no-stream",
        None,
        "Disable streaming stats and only pull the first result",
    ),
    b("no-trunc", None, "Do not truncate output"),
];
static ATTACH_FLAGS: &[FlagSpec] = &[
    v(
        "detach-keys",
        None,
        "string",
        "Override the key sequence for detaching a container",
    ),
    b("no-stdin", None, "Do not attach STDIN"),
    dflt(
        b(
            "sig-proxy",
            None,
            "Proxy all received signals to the process",
        ),
        "true",
    ),
];
static NONE: &[FlagSpec] = &[];

macro_rules! cmd {
    ($cmd:ident, [$($p:literal),+], [$([$($a:literal),+]),*], $usage:literal, $about:literal, $args:expr, $stop:literal, $flags:expr) => {
        CommandSpec {
            cmd: Cmd::$cmd,
            path: &[$($p),+],
            aliases: &[$(&[$($a),+]),*],
            usage: $usage,
            about: $about,
            args: $args,
            stop_at_first_positional: $stop,
            flags: $flags,
        }
    };
}

use ArgSpec::{AtLeast, AtMost, Between, Exactly};

/// Every command, in `docker --help` order within each group. The first spelling is the one
/// `docker --help` lists; aliases follow docker's `Aliases:` lines.
pub static COMMANDS: &[CommandSpec] = &[
    cmd!(
        Run,
        ["run"],
        [["container", "run"]],
        "[OPTIONS] IMAGE [COMMAND] [ARG...]",
        "Create and run a new container from an image",
        AtLeast(1),
        true,
        RUN_FLAGS
    ),
    cmd!(
        Exec,
        ["exec"],
        [["container", "exec"]],
        "[OPTIONS] CONTAINER COMMAND [ARG...]",
        "Execute a command in a running container",
        AtLeast(2),
        true,
        EXEC_FLAGS
    ),
    cmd!(
        Ps,
        ["ps"],
        [
            ["container", "ls"],
            ["container", "list"],
            ["container", "ps"]
        ],
        "[OPTIONS]",
        "List containers",
        ArgSpec::None,
        false,
        PS_FLAGS
    ),
    cmd!(
        Build,
        ["build"],
        [["image", "build"], ["builder", "build"]],
        "[OPTIONS] PATH | URL | -",
        "Build an image from a Dockerfile",
        Exactly(1),
        false,
        BUILD_FLAGS
    ),
    cmd!(
        Pull,
        ["pull"],
        [["image", "pull"]],
        "[OPTIONS] NAME[:TAG|@DIGEST]",
        "Download an image from a registry",
        Exactly(1),
        false,
        PULL_FLAGS
    ),
    cmd!(
        Push,
        ["push"],
        [["image", "push"]],
        "[OPTIONS] NAME[:TAG]",
        "Upload an image to a registry",
        Exactly(1),
        false,
        PUSH_FLAGS
    ),
    cmd!(
        Images,
        ["images"],
        [["image", "ls"], ["image", "list"]],
        "[OPTIONS] [REPOSITORY[:TAG]]",
        "List images",
        AtMost(1),
        false,
        IMAGES_FLAGS
    ),
    cmd!(
        Login,
        ["login"],
        [],
        "[OPTIONS] [SERVER]",
        "Authenticate to a registry",
        AtMost(1),
        false,
        LOGIN_FLAGS
    ),
    cmd!(
        Logout,
        ["logout"],
        [],
        "[SERVER]",
        "Log out from a registry",
        AtMost(1),
        false,
        NONE
    ),
    cmd!(
        Search,
        ["search"],
        [],
        "[OPTIONS] TERM",
        "Search Docker Hub for images",
        Exactly(1),
        false,
        SEARCH_FLAGS
    ),
    cmd!(
        Version,
        ["version"],
        [],
        "[OPTIONS]",
        "Show the Docker version information",
        ArgSpec::None,
        false,
        FORMAT_ONLY
    ),
    cmd!(
        Info,
        ["info"],
        [["system", "info"]],
        "[OPTIONS]",
        "Display system-wide information",
        ArgSpec::None,
        false,
        FORMAT_ONLY
    ),
    cmd!(
        Compose,
        ["compose"],
        [],
        "[OPTIONS] COMMAND",
        "Docker Compose",
        AtLeast(0),
        true,
        NONE
    ),
    cmd!(
        Attach,
        ["attach"],
        [["container", "attach"]],
        "[OPTIONS] CONTAINER",
        "Attach local standard input, output, and error streams to a running container",
        Exactly(1),
        false,
        ATTACH_FLAGS
    ),
    cmd!(
        Commit,
        ["commit"],
        [["container", "commit"]],
        "[OPTIONS] CONTAINER [REPOSITORY[:TAG]]",
        "Create a new image from a container's changes",
        Between(1, 2),
        false,
        COMMIT_FLAGS
    ),
    cmd!(
        Cp,
        ["cp"],
        [["container", "cp"]],
        "[OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-",
        "Copy files/folders between a container and the local filesystem",
        Exactly(2),
        false,
        CP_FLAGS
    ),
    cmd!(
        Create,
        ["create"],
        [["container", "create"]],
        "[OPTIONS] IMAGE [COMMAND] [ARG...]",
        "Create a new container",
        AtLeast(1),
        true,
        RUN_FLAGS
    ),
    cmd!(
        Diff,
        ["diff"],
        [["container", "diff"]],
        "CONTAINER",
        "Inspect changes to files or directories on a container's filesystem",
        Exactly(1),
        false,
        NONE
    ),
    cmd!(
        Events,
        ["events"],
        [["system", "events"]],
        "[OPTIONS]",
        "Get real time events from the server",
        ArgSpec::None,
        false,
        EVENTS_FLAGS
    ),
    cmd!(
        Export,
        ["export"],
        [["container", "export"]],
        "[OPTIONS] CONTAINER",
        "Export a container's filesystem as a tar archive",
        Exactly(1),
        false,
        EXPORT_FLAGS
    ),
    cmd!(
        History,
        ["history"],
        [["image", "history"]],
        "[OPTIONS] IMAGE",
        "Show the history of an image",
        Exactly(1),
        false,
        HISTORY_FLAGS
    ),
    cmd!(
        Import,
        ["import"],
        [["image", "import"]],
        "[OPTIONS] file|URL|- [REPOSITORY[:TAG]]",
        "Import the contents from a tarball to create a filesystem image",
        Between(1, 2),
        false,
        IMPORT_FLAGS
    ),
    cmd!(
        Inspect,
        ["inspect"],
        [],
        "[OPTIONS] NAME|ID [NAME|ID...]",
        "Return low-level information on Docker objects",
        AtLeast(1),
        false,
        INSPECT_FLAGS
    ),
    cmd!(
        Kill,
        ["kill"],
        [["container", "kill"]],
        "[OPTIONS] CONTAINER [CONTAINER...]",
        "Kill one or more running containers",
        AtLeast(1),
        false,
        KILL_FLAGS
    ),
    cmd!(
        Load,
        ["load"],
        [["image", "load"]],
        "[OPTIONS]",
        "Load an image from a tar archive or STDIN",
        ArgSpec::None,
        false,
        LOAD_FLAGS
    ),
    cmd!(
        Logs,
        ["logs"],
        [["container", "logs"]],
        "[OPTIONS] CONTAINER",
        "Fetch the logs of a container",
        Exactly(1),
        false,
        LOGS_FLAGS
    ),
    cmd!(
        Pause,
        ["pause"],
        [["container", "pause"]],
        "CONTAINER [CONTAINER...]",
        "Pause all processes within one or more containers",
        AtLeast(1),
        false,
        NONE
    ),
    cmd!(
        Port,
        ["port"],
        [["container", "port"]],
        "CONTAINER [PRIVATE_PORT[/PROTO]]",
        "List port mappings or a specific mapping for the container",
        Between(1, 2),
        false,
        NONE
    ),
    cmd!(
        Rename,
        ["rename"],
        [["container", "rename"]],
        "CONTAINER NEW_NAME",
        "Rename a container",
        Exactly(2),
        false,
        NONE
    ),
    cmd!(
        Restart,
        ["restart"],
        [["container", "restart"]],
        "[OPTIONS] CONTAINER [CONTAINER...]",
        "Restart one or more containers",
        AtLeast(1),
        false,
        STOP_FLAGS
    ),
    cmd!(
        Rm,
        ["rm"],
        [["container", "rm"], ["container", "remove"]],
        "[OPTIONS] CONTAINER [CONTAINER...]",
        "Remove one or more containers",
        AtLeast(1),
        false,
        RM_FLAGS
    ),
    cmd!(
        Rmi,
        ["rmi"],
        [["image", "rm"], ["image", "remove"]],
        "[OPTIONS] IMAGE [IMAGE...]",
        "Remove one or more images",
        AtLeast(1),
        false,
        RMI_FLAGS
    ),
    cmd!(
        Save,
        ["save"],
        [["image", "save"]],
        "[OPTIONS] IMAGE [IMAGE...]",
        "Save one or more images to a tar archive (streamed to STDOUT by default)",
        AtLeast(1),
        false,
        SAVE_FLAGS
    ),
    cmd!(
        Start,
        ["start"],
        [["container", "start"]],
        "[OPTIONS] CONTAINER [CONTAINER...]",
        "Start one or more stopped containers",
        AtLeast(1),
        false,
        START_FLAGS
    ),
    cmd!(
        Stats,
        ["stats"],
        [["container", "stats"]],
        "[OPTIONS] [CONTAINER...]",
        "Display a live stream of container(s) resource usage statistics",
        AtLeast(0),
        false,
        STATS_FLAGS
    ),
    cmd!(
        Stop,
        ["stop"],
        [["container", "stop"]],
        "[OPTIONS] CONTAINER [CONTAINER...]",
        "Stop one or more running containers",
        AtLeast(1),
        false,
        STOP_FLAGS
    ),
    cmd!(
        Tag,
        ["tag"],
        [["image", "tag"]],
        "SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]",
        "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE",
        Exactly(2),
        false,
        NONE
    ),
    cmd!(
        Top,
        ["top"],
        [["container", "top"]],
        "CONTAINER [ps OPTIONS]",
        "Display the running processes of a container",
        AtLeast(1),
        true,
        NONE
    ),
    cmd!(
        Unpause,
        ["unpause"],
        [["container", "unpause"]],
        "CONTAINER [CONTAINER...]",
        "Unpause all processes within one or more containers",
        AtLeast(1),
        false,
        NONE
    ),
    cmd!(
        Wait,
        ["wait"],
        [["container", "wait"]],
        "CONTAINER [CONTAINER...]",
        "Block until one or more containers stop, then print their exit codes",
        AtLeast(1),
        false,
        NONE
    ),
    cmd!(
        ContainerInspect,
        ["container", "inspect"],
        [],
        "[OPTIONS] CONTAINER [CONTAINER...]",
        "Display detailed information on one or more containers",
        AtLeast(1),
        false,
        TYPED_INSPECT_FLAGS
    ),
    cmd!(
        ContainerPrune,
        ["container", "prune"],
        [],
        "[OPTIONS]",
        "Remove all stopped containers",
        ArgSpec::None,
        false,
        CONTAINER_PRUNE_FLAGS
    ),
    cmd!(
        ImageInspect,
        ["image", "inspect"],
        [],
        "[OPTIONS] IMAGE [IMAGE...]",
        "Display detailed information on one or more images",
        AtLeast(1),
        false,
        TYPED_INSPECT_FLAGS
    ),
    cmd!(
        ImagePrune,
        ["image", "prune"],
        [],
        "[OPTIONS]",
        "Remove unused images",
        ArgSpec::None,
        false,
        IMAGE_PRUNE_FLAGS
    ),
    cmd!(
        SystemPrune,
        ["system", "prune"],
        [],
        "[OPTIONS]",
        "Remove unused data",
        ArgSpec::None,
        false,
        SYSTEM_PRUNE_FLAGS
    ),
];

/// Management command groups (`docker container …`) and what they say about themselves.
pub static GROUPS: &[(&str, &str)] = &[
    ("builder", "Manage builds"),
    ("container", "Manage containers"),
    ("image", "Manage images"),
    ("system", "Manage Docker"),
];

/// The spec of a command.
pub fn find(cmd: Cmd) -> &'static CommandSpec {
    COMMANDS
        .iter()
        .find(|c| c.cmd == cmd)
        .expect("every Cmd has a table entry")
}

/// Every spelling of every command: (words, spec).
pub fn spellings() -> impl Iterator<Item = (&'static [&'static str], &'static CommandSpec)> {
    COMMANDS
        .iter()
        .flat_map(|c| std::iter::once((c.path, c)).chain(c.aliases.iter().map(move |a| (*a, c))))
}

/// Tab completion for a `docker` line: the next command words, or the flags of the command
/// typed so far (both spellings).
pub fn completions(words_so_far: &[&str]) -> Vec<String> {
    let typed: Vec<&str> = words_so_far
        .iter()
        .copied()
        .filter(|w| !w.starts_with('-'))
        .collect();
    if let Some((path, spec)) = spellings()
        .filter(|(p, _)| typed.starts_with(p))
        .max_by_key(|(p, _)| p.len())
    {
        let _ = path;
        let mut out: Vec<String> = Vec::new();
        for f in spec.flags {
            out.push(format!("--{}", f.long));
            if let Some(s) = f.short {
                out.push(format!("-{s}"));
            }
        }
        return out;
    }
    let depth = typed.len();
    let mut out: Vec<String> = spellings()
        .filter(|(p, _)| p.len() > depth && p[..depth] == typed[..])
        .map(|(p, _)| p[depth].to_string())
        .collect();
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_cmd_has_exactly_one_table() {
        for c in COMMANDS {
            assert_eq!(
                COMMANDS.iter().filter(|x| x.cmd == c.cmd).count(),
                1,
                "{:?}",
                c.cmd
            );
        }
    }

    #[test]
    fn every_spelling_is_unique_and_flags_too() {
        let mut seen = std::collections::BTreeSet::new();
        for (p, _) in spellings() {
            assert!(seen.insert(p.join(" ")), "duplicate spelling {p:?}");
        }
        for c in COMMANDS {
            let mut longs = std::collections::BTreeSet::new();
            let mut shorts = std::collections::BTreeSet::new();
            for f in c.flags {
                assert!(longs.insert(f.long), "{:?}: --{} twice", c.cmd, f.long);
                if let Some(s) = f.short {
                    assert!(shorts.insert(s), "{:?}: -{s} twice", c.cmd);
                }
            }
        }
    }

    #[test]
    fn the_walkthrough_table_is_covered() {
        // The 36 commands of note 004's overview table.
        let table = "attach build commit cp diff events export history images import info inspect kill load login \
                     logs port pause ps pull push restart rm rmi run save search start stop tag top unpause version wait";
        for word in table.split_whitespace() {
            assert!(spellings().any(|(p, _)| p == [word]), "missing {word}");
        }
    }

    #[test]
    fn completion_offers_commands_then_flags() {
        assert!(completions(&[]).contains(&"run".to_string()));
        assert!(completions(&["container"]).contains(&"ls".to_string()));
        let f = completions(&["run"]);
        assert!(f.contains(&"--name".to_string()) && f.contains(&"-d".to_string()));
    }
}
