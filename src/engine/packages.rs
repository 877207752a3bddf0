//! Offline package installs: the packages that `apt-get`, `pip` and `npm` can install in the
//! lessons, with the files they put on disk and those files' sizes. No network is reachable
//! here, so both engines install from this table: the simulator's shell (`sim::shell`) writes
//! the files into the container layer, and the ubuntu and debian stand-in images on a real
//! daemon carry the table as a text file (see [`table_text`]) that their stand-in `apt-get`,
//! `pip` and `npm` scripts read. One table, so `docker history` grows by the same amount on
//! both engines (tens of MB for git, as on a real Ubuntu).
//!
//! Versions and sizes are those of Ubuntu 24.04 (noble) and Debian 8 (jessie) as published;
//! file lists are abridged to a few real paths per package plus the bulk of its size.

/// Which release's archive `apt-get` talks to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Distro {
    /// Ubuntu 24.04 (`ubuntu:latest`).
    Noble,
    /// Debian 8 (`debian:jessie`).
    Jessie,
}

impl Distro {
    /// Which distro an `/etc/os-release` describes (Ubuntu when unsure).
    pub fn from_os_release(text: &str) -> Distro {
        if text.contains("jessie") {
            Distro::Jessie
        } else {
            Distro::Noble
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            Distro::Noble => "noble",
            Distro::Jessie => "jessie",
        }
    }

    /// `apt-get update`'s index files: (Get line, list file name, size).
    pub fn indexes(self) -> &'static [(&'static str, &'static str, u64)] {
        match self {
            Distro::Noble => &[
                ("http://archive.ubuntu.com/ubuntu noble InRelease [256 kB]", "archive.ubuntu.com_ubuntu_dists_noble_InRelease", 255_850),
                ("http://security.ubuntu.com/ubuntu noble-security InRelease [126 kB]", "security.ubuntu.com_ubuntu_dists_noble-security_InRelease", 126_150),
                ("http://archive.ubuntu.com/ubuntu noble-updates InRelease [126 kB]", "archive.ubuntu.com_ubuntu_dists_noble-updates_InRelease", 126_078),
                ("http://archive.ubuntu.com/ubuntu noble-backports InRelease [126 kB]", "archive.ubuntu.com_ubuntu_dists_noble-backports_InRelease", 126_035),
                ("http://archive.ubuntu.com/ubuntu noble/main amd64 Packages [1808 kB]", "archive.ubuntu.com_ubuntu_dists_noble_main_binary-amd64_Packages.lz4", 7_356_211),
                ("http://archive.ubuntu.com/ubuntu noble/universe amd64 Packages [19.3 MB]", "archive.ubuntu.com_ubuntu_dists_noble_universe_binary-amd64_Packages.lz4", 28_690_523),
                ("http://security.ubuntu.com/ubuntu noble-security/main amd64 Packages [731 kB]", "security.ubuntu.com_ubuntu_dists_noble-security_main_binary-amd64_Packages.lz4", 3_010_402),
                ("http://archive.ubuntu.com/ubuntu noble-updates/main amd64 Packages [925 kB]", "archive.ubuntu.com_ubuntu_dists_noble-updates_main_binary-amd64_Packages.lz4", 4_019_330),
            ],
            // The note's `apt-get update` layer on jessie was 10.3MB.
            Distro::Jessie => &[
                ("http://security.debian.org jessie/updates InRelease [44.9 kB]", "security.debian.org_dists_jessie_updates_InRelease", 44_943),
                ("http://deb.debian.org jessie InRelease [191 kB]", "deb.debian.org_debian_dists_jessie_InRelease", 191_102),
                ("http://deb.debian.org jessie-updates InRelease [145 kB]", "deb.debian.org_debian_dists_jessie-updates_InRelease", 145_160),
                ("http://security.debian.org jessie/updates/main amd64 Packages [974 kB]", "security.debian.org_dists_jessie_updates_main_binary-amd64_Packages", 1_204_411),
                ("http://deb.debian.org jessie/main amd64 Packages [9098 kB]", "deb.debian.org_debian_dists_jessie_main_binary-amd64_Packages", 8_712_330),
            ],
        }
    }

    /// `Fetched … in 2s (…)` after `apt-get update`.
    pub fn fetched(self) -> &'static str {
        match self {
            Distro::Noble => "Fetched 22.3 MB in 3s (7431 kB/s)",
            Distro::Jessie => "Fetched 10.3 MB in 2s (4630 kB/s)",
        }
    }

    /// Where `Get:` lines of `apt-get install` fetch from.
    pub fn pool(self) -> &'static str {
        match self {
            Distro::Noble => "http://archive.ubuntu.com/ubuntu noble/main amd64",
            Distro::Jessie => "http://deb.debian.org/debian jessie/main amd64",
        }
    }
}

/// One Debian package.
pub struct Deb {
    pub name: &'static str,
    /// Version on noble and on jessie; `None` where the release has no such package.
    pub noble: Option<&'static str>,
    pub jessie: Option<&'static str>,
    pub depends: &'static [&'static str],
    /// (path, size in bytes).
    pub files: &'static [(&'static str, u64)],
}

/// A program a package installs, and what `PROGRAM --version` prints.
pub struct Program {
    pub path: &'static str,
    pub version: &'static str,
}

macro_rules! deb {
    ($name:literal, $noble:expr, $jessie:expr, [$($dep:literal),*], [$(($p:literal, $s:expr)),* $(,)?]) => {
        Deb { name: $name, noble: $noble, jessie: $jessie, depends: &[$($dep),*], files: &[$(($p, $s)),*] }
    };
}

/// The Debian packages the lessons (and learners) install most.
pub const DEBS: &[Deb] = &[
    deb!(
        "git",
        Some("1:2.43.0-1ubuntu7.2"),
        Some("1:2.1.4-2.1+deb8u6"),
        [
            "git-man",
            "less",
            "liberror-perl",
            "perl",
            "libcurl3t64-gnutls",
            "ca-certificates"
        ],
        [
            ("/usr/bin/git", 4_012_736),
            ("/usr/lib/git-core/git-remote-http", 1_662_320),
            ("/usr/lib/git-core/git-http-backend", 1_597_952),
            ("/usr/lib/git-core/git-daemon", 1_585_520),
            ("/usr/lib/git-core/git-imap-send", 1_602_000),
            ("/usr/lib/git-core/git-sh-i18n--envsubst", 1_543_296),
            ("/usr/lib/git-core/git-shell", 1_550_000),
            (
                "/usr/share/git-core/contrib/completion/git-completion.bash",
                79_312
            ),
            ("/usr/share/perl5/Git.pm", 49_000),
            ("/usr/share/locale/de/LC_MESSAGES/git.mo", 7_890_000),
            ("/usr/share/doc/git/copyright", 43_000),
        ]
    ),
    deb!(
        "git-man",
        Some("1:2.43.0-1ubuntu7.2"),
        Some("1:2.1.4-2.1+deb8u6"),
        [],
        [
            ("/usr/share/man/man1/git.1.gz", 25_000),
            ("/usr/share/man/man1/git-commit.1.gz", 9_800),
            ("/usr/share/doc/git-man/html.tar.gz", 2_120_000),
        ]
    ),
    deb!(
        "less",
        Some("590-2ubuntu2.1"),
        Some("458-3"),
        [],
        [
            ("/usr/bin/less", 180_000),
            ("/usr/bin/lesskey", 28_000),
            ("/usr/share/doc/less/copyright", 1_500),
        ]
    ),
    deb!(
        "liberror-perl",
        Some("0.17029-2"),
        Some("0.17-1.1"),
        ["perl"],
        [
            ("/usr/share/perl5/Error.pm", 24_000),
            ("/usr/share/perl5/Error/Simple.pm", 2_000),
        ]
    ),
    deb!(
        "perl",
        Some("5.38.2-3.2build2"),
        Some("5.20.2-3+deb8u11"),
        [],
        [
            ("/usr/bin/perl5.38-x86_64-linux-gnu", 3_900_000),
            ("/usr/bin/cpan", 8_000),
            ("/usr/share/perl/5.38.2/unicore/lib.tar", 9_800_000),
            ("/usr/share/perl/5.38.2/modules.tar", 4_700_000),
            ("/usr/lib/x86_64-linux-gnu/libperl.so.5.38.2", 4_100_000),
            ("/usr/share/doc/perl/copyright", 140_000),
        ]
    ),
    deb!(
        "libcurl3t64-gnutls",
        Some("8.5.0-2ubuntu10.6"),
        None,
        [],
        [("/usr/lib/x86_64-linux-gnu/libcurl-gnutls.so.4.8.0", 750_000),]
    ),
    deb!(
        "libcurl4t64",
        Some("8.5.0-2ubuntu10.6"),
        None,
        [],
        [("/usr/lib/x86_64-linux-gnu/libcurl.so.4.8.0", 780_000),]
    ),
    deb!(
        "ca-certificates",
        Some("20240203"),
        Some("20200601~deb8u2"),
        [],
        [
            ("/etc/ssl/certs/ca-certificates.crt", 219_000),
            ("/usr/share/ca-certificates/mozilla.tar", 380_000),
            ("/usr/sbin/update-ca-certificates", 6_300),
        ]
    ),
    deb!(
        "curl",
        Some("8.5.0-2ubuntu10.6"),
        Some("7.38.0-4+deb8u16"),
        ["libcurl4t64", "ca-certificates"],
        [
            ("/usr/bin/curl", 276_000),
            ("/usr/share/man/man1/curl.1.gz", 70_000),
            ("/usr/share/doc/curl/copyright", 2_300),
        ]
    ),
    deb!(
        "wget",
        Some("1.21.4-1ubuntu4.1"),
        Some("1.16-1+deb8u7"),
        ["ca-certificates"],
        [
            ("/usr/bin/wget", 527_000),
            ("/etc/wgetrc", 4_900),
            ("/usr/share/locale/de/LC_MESSAGES/wget.mo", 2_900_000),
            ("/usr/share/doc/wget/copyright", 1_600),
        ]
    ),
    deb!(
        "vim",
        Some("2:9.1.0016-1ubuntu7.8"),
        Some("2:7.4.488-7+deb8u4"),
        ["vim-common", "vim-runtime", "xxd", "libgpm2", "libsodium23"],
        [
            ("/usr/bin/vim.basic", 3_913_000),
            ("/usr/share/doc/vim/copyright", 6_000),
        ]
    ),
    deb!(
        "vim-common",
        Some("2:9.1.0016-1ubuntu7.8"),
        Some("2:7.4.488-7+deb8u4"),
        [],
        [
            ("/usr/share/vim/vimrc", 2_200),
            ("/etc/vim/vimrc", 2_200),
            ("/usr/share/man/man1/vim.1.gz", 5_500),
        ]
    ),
    deb!(
        "vim-runtime",
        Some("2:9.1.0016-1ubuntu7.8"),
        Some("2:7.4.488-7+deb8u4"),
        [],
        [
            ("/usr/share/vim/vim91/syntax.tar", 12_100_000),
            ("/usr/share/vim/vim91/doc.tar", 9_400_000),
            ("/usr/share/vim/vim91/autoload.tar", 4_900_000),
            ("/usr/share/vim/vim91/ftplugin.tar", 2_300_000),
            ("/usr/share/vim/vim91/indent.tar", 1_300_000),
            ("/usr/share/vim/vim91/tutor/tutor", 33_000),
        ]
    ),
    deb!(
        "xxd",
        Some("2:9.1.0016-1ubuntu7.8"),
        None,
        [],
        [("/usr/bin/xxd", 18_800)]
    ),
    deb!(
        "libgpm2",
        Some("1.20.7-11"),
        Some("1.20.4-6.1+b2"),
        [],
        [("/usr/lib/x86_64-linux-gnu/libgpm.so.2", 27_000)]
    ),
    deb!(
        "libsodium23",
        Some("1.0.18-1build3"),
        None,
        [],
        [("/usr/lib/x86_64-linux-gnu/libsodium.so.23.3.0", 356_000)]
    ),
    deb!(
        "python",
        None,
        Some("2.7.9-1"),
        ["python2.7"],
        [
            ("/usr/bin/pydoc", 600),
            ("/usr/share/doc/python/copyright", 2_600),
        ]
    ),
    deb!(
        "python2.7",
        None,
        Some("2.7.9-2+deb8u5"),
        [],
        [
            ("/usr/bin/python2.7", 3_785_928),
            ("/usr/lib/python2.7/stdlib.tar", 12_700_000),
            ("/usr/share/doc/python2.7/copyright", 13_000),
        ]
    ),
    deb!(
        "python-pip",
        None,
        Some("1.5.6-5"),
        ["python"],
        [
            ("/usr/bin/pip", 300),
            ("/usr/bin/pip2", 300),
            ("/usr/share/python-wheels/pip.tar", 1_200_000),
        ]
    ),
    deb!(
        "python3",
        Some("3.12.3-0ubuntu2"),
        Some("3.4.2-2"),
        ["python3.12", "libpython3.12-stdlib", "media-types"],
        [
            ("/usr/bin/pydoc3", 300),
            ("/usr/share/doc/python3/copyright", 2_600),
        ]
    ),
    deb!(
        "python3.12",
        Some("3.12.3-1ubuntu0.5"),
        None,
        [],
        [
            ("/usr/bin/python3.12", 8_012_000),
            ("/usr/share/doc/python3.12/README.venv", 1_200),
        ]
    ),
    deb!(
        "libpython3.12-stdlib",
        Some("3.12.3-1ubuntu0.5"),
        None,
        [],
        [
            ("/usr/lib/python3.12/stdlib.tar", 17_800_000),
            // pip refuses system-wide installs where this file exists (PEP 668).
            ("/usr/lib/python3.12/EXTERNALLY-MANAGED", 645),
            (
                "/usr/lib/python3.12/lib-dynload/_ssl.cpython-312-x86_64-linux-gnu.so",
                210_000
            ),
        ]
    ),
    deb!(
        "media-types",
        Some("10.1.0"),
        None,
        [],
        [("/etc/mime.types", 73_000)]
    ),
    deb!(
        "python3-pip",
        Some("24.0+dfsg-1ubuntu1.1"),
        Some("1.5.6-5"),
        ["python3", "python3-setuptools", "python3-wheel"],
        [
            ("/usr/bin/pip", 220),
            ("/usr/bin/pip3", 220),
            ("/usr/lib/python3/dist-packages/pip/pip.tar", 8_150_000),
        ]
    ),
    deb!(
        "python3-setuptools",
        Some("68.1.2-2ubuntu1.1"),
        Some("5.5.1-1"),
        ["python3"],
        [(
            "/usr/lib/python3/dist-packages/setuptools/setuptools.tar",
            3_950_000
        ),]
    ),
    deb!(
        "python3-wheel",
        Some("0.42.0-2"),
        Some("0.24.0-1"),
        ["python3"],
        [("/usr/lib/python3/dist-packages/wheel/wheel.tar", 210_000),]
    ),
    deb!(
        "python3-flask",
        Some("3.0.2-1ubuntu1"),
        None,
        ["python3", "python3-werkzeug", "python3-jinja2"],
        [
            ("/usr/bin/flask", 200),
            ("/usr/lib/python3/dist-packages/flask/flask.tar", 1_010_000),
        ]
    ),
    deb!(
        "python3-werkzeug",
        Some("3.0.1-3ubuntu0.2"),
        None,
        [],
        [(
            "/usr/lib/python3/dist-packages/werkzeug/werkzeug.tar",
            1_560_000
        ),]
    ),
    deb!(
        "python3-jinja2",
        Some("3.1.2-1ubuntu1.2"),
        None,
        [],
        [(
            "/usr/lib/python3/dist-packages/jinja2/jinja2.tar",
            1_030_000
        ),]
    ),
    deb!(
        "nodejs",
        Some("18.19.1+dfsg-6ubuntu5"),
        None,
        ["libnode109"],
        [
            ("/usr/bin/node", 72_000),
            ("/usr/share/doc/nodejs/copyright", 40_000),
        ]
    ),
    deb!(
        "libnode109",
        Some("18.19.1+dfsg-6ubuntu5"),
        None,
        [],
        [("/usr/lib/x86_64-linux-gnu/libnode.so.109", 61_300_000),]
    ),
    deb!(
        "npm",
        Some("9.2.0~ds1-2"),
        None,
        ["nodejs"],
        [
            ("/usr/bin/npm", 1_300),
            ("/usr/bin/npx", 1_400),
            ("/usr/share/nodejs/npm/npm.tar", 9_700_000),
            ("/usr/share/nodejs/node-modules.tar", 14_200_000),
        ]
    ),
    deb!(
        "make",
        Some("4.3-4.1build2"),
        Some("4.0-8.1"),
        [],
        [("/usr/bin/make", 240_000)]
    ),
    deb!(
        "gcc-13",
        Some("13.3.0-6ubuntu2~24.04"),
        None,
        [],
        [
            ("/usr/bin/x86_64-linux-gnu-gcc-13", 1_150_000),
            ("/usr/libexec/gcc/x86_64-linux-gnu/13/cc1", 37_600_000),
            ("/usr/libexec/gcc/x86_64-linux-gnu/13/lto1", 35_900_000),
        ]
    ),
    deb!(
        "gcc",
        Some("4:13.2.0-7ubuntu1"),
        Some("4:4.9.2-2"),
        ["gcc-13"],
        [("/usr/bin/gcc", 1_150_000)]
    ),
    deb!(
        "g++-13",
        Some("13.3.0-6ubuntu2~24.04"),
        None,
        ["gcc-13"],
        [
            ("/usr/bin/x86_64-linux-gnu-g++-13", 1_160_000),
            ("/usr/libexec/gcc/x86_64-linux-gnu/13/cc1plus", 39_900_000),
        ]
    ),
    deb!(
        "g++",
        Some("4:13.2.0-7ubuntu1"),
        Some("4:4.9.2-2"),
        ["g++-13", "gcc"],
        [("/usr/bin/g++", 1_160_000)]
    ),
    deb!(
        "libc6-dev",
        Some("2.39-0ubuntu8.4"),
        Some("2.19-18+deb8u10"),
        [],
        [
            ("/usr/include/stdio.h", 31_000),
            ("/usr/lib/x86_64-linux-gnu/libc.a", 6_200_000),
            ("/usr/include/x86_64-linux-gnu/headers.tar", 5_600_000),
        ]
    ),
    deb!(
        "dpkg-dev",
        Some("1.22.6ubuntu6.1"),
        Some("1.17.27"),
        ["make"],
        [
            ("/usr/bin/dpkg-buildpackage", 31_000),
            ("/usr/share/perl5/Dpkg/dpkg.tar", 1_700_000),
        ]
    ),
    deb!(
        "build-essential",
        Some("12.10ubuntu1"),
        Some("11.7"),
        ["gcc", "g++", "make", "libc6-dev", "dpkg-dev"],
        [
            ("/usr/share/build-essential/list", 600),
            ("/usr/share/doc/build-essential/copyright", 1_300),
        ]
    ),
];

/// Real package names with no entry above: installed as one program and its docs (a generic
/// stand-in, 250 kB), so a learner's own choice still works offline.
const OTHER_DEBS: &[&str] = &[
    "apt-utils",
    "bzip2",
    "dnsutils",
    "emacs",
    "file",
    "gnupg",
    "htop",
    "iproute2",
    "iputils-ping",
    "jq",
    "locales",
    "lsb-release",
    "nano",
    "net-tools",
    "netcat-openbsd",
    "nginx",
    "openssh-client",
    "procps",
    "redis-server",
    "rsync",
    "ruby",
    "screen",
    "sqlite3",
    "sudo",
    "telnet",
    "tmux",
    "tree",
    "tzdata",
    "unzip",
    "xz-utils",
    "zip",
];

/// Packages a release no longer has but others still name: (release, package, what replaces
/// it). `apt-get install python` on Ubuntu 24.04 says "has no installation candidate".
pub const RETIRED: &[(&str, &str, &str)] = &[
    ("noble", "python", "python-is-python3"),
    ("noble", "python-pip", "python3-pip"),
];

/// `PROGRAM --version` for the programs the table installs.
pub const PROGRAMS: &[Program] = &[
    Program { path: "/usr/bin/git", version: "git version 2.43.0" },
    Program { path: "/usr/bin/curl", version: "curl 8.5.0 (x86_64-pc-linux-gnu) libcurl/8.5.0 OpenSSL/3.0.13 zlib/1.3 brotli/1.1.0 zstd/1.5.5 libidn2/2.3.7 libpsl/0.21.2 (+libidn2/2.3.7) libssh/0.10.6/openssl/zlib nghttp2/1.59.0 librtmp/2.3 OpenLDAP/2.6.7" },
    Program { path: "/usr/bin/wget", version: "GNU Wget 1.21.4 built on linux-gnu." },
    Program { path: "/usr/bin/vim.basic", version: "VIM - Vi IMproved 9.1 (2024 Jan 02, compiled Apr 01 2025 20:12:31)" },
    Program { path: "/usr/bin/python3.12", version: "Python 3.12.3" },
    Program { path: "/usr/bin/python2.7", version: "Python 2.7.9" },
    Program { path: "/usr/bin/node", version: "v18.19.1" },
    Program { path: "/usr/bin/npm", version: "9.2.0" },
    Program { path: "/usr/bin/pip", version: "pip 24.0 from /usr/lib/python3/dist-packages/pip (python 3.12)" },
    Program { path: "/usr/bin/pip3", version: "pip 24.0 from /usr/lib/python3/dist-packages/pip (python 3.12)" },
    Program { path: "/usr/bin/make", version: "GNU Make 4.3" },
    Program { path: "/usr/bin/gcc", version: "gcc (Ubuntu 13.3.0-6ubuntu2~24.04) 13.3.0" },
    Program { path: "/usr/bin/perl5.38-x86_64-linux-gnu", version: "This is perl 5, version 38, subversion 2 (v5.38.2) built for x86_64-linux-gnu-thread-multi" },
];

/// What an installed program says when asked anything but `--version`: no real program is
/// behind it on either engine.
pub fn only_version(program: &str) -> String {
    format!("docktutor: this offline `{program}` only answers --version\n")
}

/// Links a package makes besides its files (link, target).
pub const LINKS: &[(&str, &str, &str)] = &[
    ("vim", "/usr/bin/vim", "/usr/bin/vim.basic"),
    ("vim", "/usr/bin/vi", "/usr/bin/vim.basic"),
    ("python3", "/usr/bin/python3", "python3.12"),
    ("python", "/usr/bin/python", "python2.7"),
    ("perl", "/usr/bin/perl", "perl5.38-x86_64-linux-gnu"),
    ("gcc", "/usr/bin/cc", "gcc"),
];

/// A package as one release has it.
#[derive(Clone, Debug, PartialEq)]
pub struct Found {
    pub name: String,
    pub version: String,
    pub depends: Vec<String>,
    pub files: Vec<(String, u64)>,
}

impl Found {
    pub fn size(&self) -> u64 {
        self.files.iter().map(|(_, s)| s).sum()
    }

    /// Bytes of the `.deb` to fetch (about a third of what it installs).
    pub fn download(&self) -> u64 {
        self.size() / 3 + 1_200
    }
}

/// What `apt-get` knows about `name` on `distro`: `Ok(None)` when no such package exists,
/// `Err(replacements)` for a package that other packages refer to but the release no longer
/// has (`python` on noble).
pub fn find_deb(name: &str, distro: Distro) -> Result<Option<Found>, &'static str> {
    if let Some(d) = DEBS.iter().find(|d| d.name == name) {
        let version = match distro {
            Distro::Noble => d.noble,
            Distro::Jessie => d.jessie,
        };
        let Some(version) = version else {
            return match RETIRED
                .iter()
                .find(|(d, n, _)| *d == distro.key() && *n == name)
            {
                Some((_, _, by)) => Err(by),
                None => Ok(None),
            };
        };
        return Ok(Some(Found {
            name: name.into(),
            version: version.into(),
            depends: d
                .depends
                .iter()
                .filter(|dep| matches!(find_deb(dep, distro), Ok(Some(_))))
                .map(|s| s.to_string())
                .collect(),
            files: d.files.iter().map(|(p, s)| (p.to_string(), *s)).collect(),
        }));
    }
    if OTHER_DEBS.contains(&name) {
        let version = match distro {
            Distro::Noble => "1.0-1build1",
            Distro::Jessie => "1.0-1",
        };
        return Ok(Some(Found {
            name: name.into(),
            version: version.into(),
            depends: vec![],
            files: vec![
                (format!("/usr/bin/{name}"), 250_000),
                (format!("/usr/share/doc/{name}/copyright"), 1_800),
            ],
        }));
    }
    Ok(None)
}

/// Every package to install for `requested`, dependencies first, leaving out what
/// `installed` says is there. `Err` names the first package that cannot be found.
pub fn plan(
    requested: &[String],
    distro: Distro,
    installed: &dyn Fn(&str) -> bool,
) -> Result<Vec<Found>, PlanError> {
    fn visit(
        name: &str,
        distro: Distro,
        installed: &dyn Fn(&str) -> bool,
        out: &mut Vec<Found>,
    ) -> Result<(), PlanError> {
        if installed(name) || out.iter().any(|f| f.name == name) {
            return Ok(());
        }
        let found = match find_deb(name, distro) {
            Ok(Some(f)) => f,
            Ok(None) => return Err(PlanError::Unknown(name.to_string())),
            Err(by) => {
                return Err(PlanError::NoCandidate {
                    name: name.to_string(),
                    replaced_by: by.to_string(),
                })
            }
        };
        for d in &found.depends {
            visit(d, distro, installed, out)?;
        }
        out.push(found);
        Ok(())
    }
    let mut out = Vec::new();
    for r in requested {
        visit(r, distro, installed, &mut out)?;
    }
    Ok(out)
}

#[derive(Clone, Debug, PartialEq)]
pub enum PlanError {
    /// `E: Unable to locate package NAME`
    Unknown(String),
    /// `E: Package 'NAME' has no installation candidate`
    NoCandidate { name: String, replaced_by: String },
}

/// apt's `SizeToStr` (SI units, one decimal below 100), without the trailing `B`.
pub fn apt_size(bytes: u64) -> String {
    let units = ["", "k", "M", "G", "T"];
    let mut size = bytes as f64;
    let mut i = 0;
    loop {
        if size < 100.0 && i != 0 {
            return format!("{size:.1} {}", units[i]);
        }
        if size < 10_000.0 || i + 1 == units.len() {
            return format!("{size:.0} {}", units[i]);
        }
        size /= 1000.0;
        i += 1;
    }
}

/// apt's list of package names: two spaces in, wrapped before 80 columns.
pub fn apt_list(names: &[&str]) -> String {
    let mut out = String::new();
    let mut line = String::from(" ");
    for n in names {
        if line.len() + 1 + n.len() > 79 && line.len() > 1 {
            out.push_str(&line);
            out.push('\n');
            line = String::from(" ");
        }
        line.push(' ');
        line.push_str(n);
    }
    out.push_str(&line);
    out.push('\n');
    out
}

/// A Python distribution on PyPI: (name as installed, version, size installed, imports).
pub struct Wheel {
    pub name: &'static str,
    pub version: &'static str,
    /// Top-level import folder in site-packages.
    pub module: &'static str,
    pub size: u64,
    pub requires: &'static [&'static str],
}

pub const WHEELS: &[Wheel] = &[
    Wheel {
        name: "flask",
        version: "3.0.3",
        module: "flask",
        size: 301_000,
        requires: &["Werkzeug", "Jinja2", "itsdangerous", "click", "blinker"],
    },
    Wheel {
        name: "Werkzeug",
        version: "3.0.3",
        module: "werkzeug",
        size: 1_010_000,
        requires: &["MarkupSafe"],
    },
    Wheel {
        name: "Jinja2",
        version: "3.1.4",
        module: "jinja2",
        size: 843_000,
        requires: &["MarkupSafe"],
    },
    Wheel {
        name: "MarkupSafe",
        version: "2.1.5",
        module: "markupsafe",
        size: 63_000,
        requires: &[],
    },
    Wheel {
        name: "itsdangerous",
        version: "2.2.0",
        module: "itsdangerous",
        size: 61_000,
        requires: &[],
    },
    Wheel {
        name: "click",
        version: "8.1.7",
        module: "click",
        size: 456_000,
        requires: &[],
    },
    Wheel {
        name: "blinker",
        version: "1.8.2",
        module: "blinker",
        size: 36_000,
        requires: &[],
    },
    Wheel {
        name: "numpy",
        version: "2.0.1",
        module: "numpy",
        size: 58_900_000,
        requires: &[],
    },
    Wheel {
        name: "requests",
        version: "2.32.3",
        module: "requests",
        size: 316_000,
        requires: &["charset-normalizer", "idna", "urllib3", "certifi"],
    },
    Wheel {
        name: "charset-normalizer",
        version: "3.3.2",
        module: "charset_normalizer",
        size: 268_000,
        requires: &[],
    },
    Wheel {
        name: "idna",
        version: "3.7",
        module: "idna",
        size: 553_000,
        requires: &[],
    },
    Wheel {
        name: "urllib3",
        version: "2.2.2",
        module: "urllib3",
        size: 548_000,
        requires: &[],
    },
    Wheel {
        name: "certifi",
        version: "2024.7.4",
        module: "certifi",
        size: 300_000,
        requires: &[],
    },
    Wheel {
        name: "redis",
        version: "5.0.7",
        module: "redis",
        size: 1_400_000,
        requires: &[],
    },
];

/// The PyPI entry for `name` (case and `-`/`_` insensitive), or a generic one.
pub fn find_wheel(name: &str) -> (String, String, String, u64, Vec<String>) {
    let canon = |s: &str| s.to_ascii_lowercase().replace('_', "-");
    match WHEELS.iter().find(|w| canon(w.name) == canon(name)) {
        Some(w) => (
            w.name.into(),
            w.version.into(),
            w.module.into(),
            w.size,
            w.requires.iter().map(|s| s.to_string()).collect(),
        ),
        None => (
            name.into(),
            "1.0.0".into(),
            canon(name).replace('-', "_"),
            120_000,
            vec![],
        ),
    }
}

/// An npm package: name, version, size of its folder, and how many packages it brings with
/// it (its whole dependency tree, counted as npm's "added N packages" does).
pub struct NodePackage {
    pub name: &'static str,
    pub version: &'static str,
    pub size: u64,
    pub deps: &'static [(&'static str, &'static str, u64)],
}

pub const NODE_PACKAGES: &[NodePackage] = &[
    NodePackage {
        name: "express",
        version: "4.19.2",
        size: 220_000,
        deps: &[
            ("accepts", "1.3.8", 17_000),
            ("body-parser", "1.20.2", 58_000),
            ("cookie", "0.6.0", 21_000),
            ("debug", "2.6.9", 78_000),
            ("finalhandler", "1.2.0", 18_000),
            ("mime", "1.6.0", 50_000),
            ("qs", "6.11.0", 250_000),
            ("send", "0.18.0", 49_000),
            ("serve-static", "1.15.0", 25_000),
            ("iconv-lite", "0.4.24", 340_000),
            ("raw-body", "2.5.2", 21_000),
            ("path-to-regexp", "0.1.7", 7_000),
        ],
    },
    NodePackage {
        name: "lodash",
        version: "4.17.21",
        size: 1_410_000,
        deps: &[],
    },
    NodePackage {
        name: "nodemon",
        version: "3.1.4",
        size: 210_000,
        deps: &[
            ("chokidar", "3.6.0", 90_000),
            ("semver", "7.6.2", 96_000),
            ("debug", "4.3.5", 42_000),
        ],
    },
];

/// The npm entry for `name`, or a generic one (`1.0.0`, 60 kB, no dependencies).
pub fn find_node_package(name: &str) -> (String, String, u64, Vec<(String, String, u64)>) {
    match NODE_PACKAGES.iter().find(|p| p.name == name) {
        Some(p) => (
            p.name.into(),
            p.version.into(),
            p.size,
            p.deps
                .iter()
                .map(|(n, v, s)| (n.to_string(), v.to_string(), *s))
                .collect(),
        ),
        None => (name.into(), "1.0.0".into(), 60_000, vec![]),
    }
}

/// The whole table as text, for the stand-in images' scripts (one record a line, fields
/// separated by `|`):
///
/// ```text
/// D|NAME|NOBLE-VERSION|JESSIE-VERSION|DEP DEP …      a Debian package ("-": none there)
/// F|NAME|PATH|SIZE                                   one of its files
/// L|NAME|LINK|TARGET                                 a link it makes
/// X|NAME                                             a name installed generically
/// V|PATH|TEXT                                        PATH --version
/// W|NAME|VERSION|MODULE|SIZE|REQ REQ …               a Python wheel
/// N|NAME|VERSION|SIZE                                an npm package …
/// M|NAME|DEP|VERSION|SIZE                            … and one of its dependencies
/// O|DISTRO|NAME|REPLACEMENT                         a retired package
/// R|DISTRO|POOL|FETCHED-LINE                         a release's archive
/// I|DISTRO|GET-LINE|LIST-FILE|SIZE                   an index `apt-get update` fetches
/// ```
pub fn table_text() -> String {
    let mut s = String::new();
    for d in DEBS {
        s.push_str(&format!(
            "D|{}|{}|{}|{}\n",
            d.name,
            d.noble.unwrap_or("-"),
            d.jessie.unwrap_or("-"),
            d.depends.join(" ")
        ));
        for (p, size) in d.files {
            s.push_str(&format!("F|{}|{p}|{size}\n", d.name));
        }
    }
    for (pkg, link, target) in LINKS {
        s.push_str(&format!("L|{pkg}|{link}|{target}\n"));
    }
    for n in OTHER_DEBS {
        s.push_str(&format!("X|{n}\n"));
    }
    for p in PROGRAMS {
        s.push_str(&format!("V|{}|{}\n", p.path, p.version));
    }
    for w in WHEELS {
        s.push_str(&format!(
            "W|{}|{}|{}|{}|{}\n",
            w.name,
            w.version,
            w.module,
            w.size,
            w.requires.join(" ")
        ));
    }
    for p in NODE_PACKAGES {
        s.push_str(&format!("N|{}|{}|{}\n", p.name, p.version, p.size));
        for (n, v, size) in p.deps {
            s.push_str(&format!("M|{}|{n}|{v}|{size}\n", p.name));
        }
    }
    for (distro, name, by) in RETIRED {
        s.push_str(&format!("O|{distro}|{name}|{by}\n"));
    }
    for distro in [Distro::Noble, Distro::Jessie] {
        s.push_str(&format!(
            "R|{}|{}|{}\n",
            distro.key(),
            distro.pool(),
            distro.fetched()
        ));
        for (get, file, size) in distro.indexes() {
            s.push_str(&format!("I|{}|{get}|{file}|{size}\n", distro.key()));
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn git_on_noble_brings_its_dependencies_first_and_weighs_tens_of_mb() {
        let p = plan(&["git".into()], Distro::Noble, &|_| false).unwrap();
        let names: Vec<&str> = p.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names.last(), Some(&"git"));
        assert!(names.contains(&"perl") && names.contains(&"git-man"));
        let total: u64 = p.iter().map(Found::size).sum();
        assert!((40_000_000..60_000_000).contains(&total), "{total}");
        // Already installed packages are left out.
        let p = plan(&["git".into()], Distro::Noble, &|n| n != "git").unwrap();
        assert_eq!(p.len(), 1);
    }

    #[test]
    fn unknown_and_retired_packages_are_told_apart() {
        assert_eq!(
            plan(&["foo".into()], Distro::Noble, &|_| false),
            Err(PlanError::Unknown("foo".into()))
        );
        assert!(matches!(
            plan(&["python".into()], Distro::Noble, &|_| false),
            Err(PlanError::NoCandidate { .. })
        ));
        // jessie still has python 2, and the generic names install anywhere.
        assert!(
            plan(&["python".into(), "htop".into()], Distro::Jessie, &|_| {
                false
            })
            .is_ok()
        );
    }

    #[test]
    fn sizes_read_like_apts() {
        assert_eq!(apt_size(44_400_000), "44.4 M");
        assert_eq!(apt_size(112_000_000), "112 M");
        assert_eq!(apt_size(4_096_000), "4096 k");
        assert_eq!(apt_size(512), "512 ");
    }

    #[test]
    fn the_table_text_has_every_record_kind() {
        let t = table_text();
        for prefix in [
            "D|git|",
            "F|git|/usr/bin/git|",
            "L|vim|",
            "X|htop",
            "V|/usr/bin/git|",
            "W|flask|",
            "N|express|",
            "M|express|",
            "I|noble|",
            "I|jessie|",
        ] {
            assert!(t.contains(prefix), "{prefix}");
        }
        assert!(!t.lines().any(|l| l.matches('|').count() > 5));
    }
}
