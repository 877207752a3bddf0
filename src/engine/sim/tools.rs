//! Package managers inside simulated containers: `apt-get`/`apt`, `pip`/`pip3` and `npm`
//! install offline from [`crate::engine::packages`], writing each package's files (with their
//! real sizes) into the container layer and printing what the real tools print. Programs the
//! table installs answer `--version`.

use super::fs::normalize;
use super::shell::{Machine, Output, ShellState};
use crate::engine::packages::{self, Distro, Found, PlanError};

const DPKG_INFO: &str = "/var/lib/dpkg/info";
const LISTS: &str = "/var/lib/apt/lists";

fn out(stdout: String, stderr: String, status: i32) -> Output {
    Output {
        stdout: stdout.into_bytes(),
        stderr: stderr.into_bytes(),
        status,
    }
}

impl Machine<'_> {
    fn distro(&self) -> Distro {
        let text = self.view.read("/etc/os-release").unwrap_or_default();
        Distro::from_os_release(&String::from_utf8_lossy(&text))
    }

    fn deb_installed(&self, name: &str) -> bool {
        self.view
            .stat(&format!("{DPKG_INFO}/{name}.list"))
            .is_some()
    }

    /// Whether `apt-get update` has fetched the package lists.
    fn lists_fetched(&self) -> bool {
        self.view
            .list(LISTS)
            .unwrap_or_default()
            .iter()
            .any(|n| n.contains("_Packages"))
    }

    fn mkdirs(&mut self, path: &str) {
        let _ = self.view.mkdir(path, true);
    }

    /// Write a file of `size` bytes, making its folders.
    fn put(&mut self, path: &str, head: &[u8], size: u64, mode: u32) {
        self.mkdirs(super::fs::parent(path));
        let data = head[..head.len().min(size as usize)].to_vec();
        let bulk = size - data.len() as u64;
        let _ = self.view.write_sized(path, data, bulk, mode);
    }

    /// `apt-get` and `apt`: update, install, and a few harmless others.
    pub(super) fn apt(&mut self, program: &str, args: &[String]) -> Output {
        let mut yes = false;
        let mut quiet = 0;
        let mut words = Vec::new();
        for a in args {
            match a.as_str() {
                "-y" | "--yes" | "--assume-yes" => yes = true,
                "-q" | "--quiet" => quiet = quiet.max(1),
                "-qq" => quiet = 2,
                "-qy" | "-yq" => {
                    yes = true;
                    quiet = quiet.max(1);
                }
                "-qqy" | "-yqq" => {
                    yes = true;
                    quiet = 2;
                }
                a if a.starts_with('-') => {}
                a => words.push(a.to_string()),
            }
        }
        // `apt` warns when its output is not a terminal; `apt-get` is the scripting tool.
        let warn = if program == "apt" && !self.tty {
            "\nWARNING: apt does not have a stable CLI interface. Use with caution in scripts.\n\n"
        } else {
            ""
        };
        let mut r = match words.first().map(String::as_str) {
            None => out(
                String::new(),
                format!("docktutor: the simulated {program} needs an operation (update, install, upgrade or clean)\n"),
                1,
            ),
            Some("update") => self.apt_update(),
            Some("install") => self.apt_install(&words[1..], yes),
            Some("clean" | "autoclean" | "autoremove" | "upgrade" | "dist-upgrade") => {
                let mut s = String::new();
                if words[0] != "clean" && words[0] != "autoclean" {
                    s = self.apt_header();
                    s.push_str("Calculating upgrade... Done\n0 upgraded, 0 newly installed, 0 to remove and 0 not upgraded.\n");
                    if !words[0].contains("upgrade") {
                        s = self.apt_header()
                            + "0 upgraded, 0 newly installed, 0 to remove and 0 not upgraded.\n";
                    }
                }
                out(s, String::new(), 0)
            }
            Some(
                op @ ("remove" | "purge" | "source" | "build-dep" | "download" | "check"
                | "search" | "show" | "list" | "full-upgrade" | "policy" | "changelog"),
            ) => out(
                String::new(),
                format!("docktutor: the simulated {program} does not do `{op}` yet (update, install, upgrade and clean work)\n"),
                100,
            ),
            Some(other) => out(String::new(), format!("E: Invalid operation {other}\n"), 100),
        };
        if quiet == 2 {
            // -qq keeps errors only.
            r.stdout.clear();
        }
        if !warn.is_empty() {
            let mut e = warn.as_bytes().to_vec();
            e.extend(std::mem::take(&mut r.stderr));
            r.stderr = e;
        }
        r
    }

    /// "Reading package lists…", with " Done" when apt draws on a terminal.
    fn apt_header(&self) -> String {
        let done = if self.tty { " Done" } else { "" };
        format!(
            "Reading package lists...{done}\nBuilding dependency tree...{done}\nReading state information...{done}\n"
        )
    }

    fn apt_update(&mut self) -> Output {
        let distro = self.distro();
        let mut s = String::new();
        self.mkdirs(LISTS);
        for (i, (get, file, size)) in distro.indexes().iter().enumerate() {
            s.push_str(&format!("Get:{} {get}\n", i + 1));
            let head = format!("# {get}\n");
            self.put(&format!("{LISTS}/{file}"), head.as_bytes(), *size, 0o644);
        }
        s.push_str(distro.fetched());
        s.push('\n');
        s.push_str("Reading package lists...");
        if self.tty {
            s.push_str(" Done");
        }
        s.push('\n');
        out(s, String::new(), 0)
    }

    fn apt_install(&mut self, requested: &[String], yes: bool) -> Output {
        let distro = self.distro();
        let mut s = self.apt_header();
        if requested.is_empty() {
            s.push_str("0 upgraded, 0 newly installed, 0 to remove and 0 not upgraded.\n");
            return out(s, String::new(), 0);
        }
        let fetched = self.lists_fetched();
        let plan = {
            let installed = |n: &str| self.deb_installed(n);
            if fetched {
                packages::plan(requested, distro, &installed)
            } else {
                // No lists yet (a fresh image): apt knows no package at all.
                Err(PlanError::Unknown(
                    requested
                        .iter()
                        .find(|r| !installed(r))
                        .cloned()
                        .unwrap_or_default(),
                ))
            }
        };
        let plan = match plan {
            Ok(p) => p,
            Err(PlanError::Unknown(name)) if !name.is_empty() => {
                return out(s, format!("E: Unable to locate package {name}\n"), 100)
            }
            Err(PlanError::Unknown(_)) => Vec::new(),
            Err(PlanError::NoCandidate { name, replaced_by }) => {
                s.push_str(&format!("Package {name} is not available, but is referred to by another package.\nThis may mean that the package is missing, has been obsoleted, or\nis only available from another source\nHowever the following packages replace it:\n  {replaced_by}\n\n"));
                return out(
                    s,
                    format!("E: Package '{name}' has no installation candidate\n"),
                    100,
                );
            }
        };
        for r in requested {
            if plan.iter().all(|p| &p.name != r) {
                let version = packages::find_deb(r, distro)
                    .ok()
                    .flatten()
                    .map(|f| f.version)
                    .unwrap_or_default();
                s.push_str(&format!("{r} is already the newest version ({version}).\n"));
            }
        }
        if plan.is_empty() {
            s.push_str("0 upgraded, 0 newly installed, 0 to remove and 0 not upgraded.\n");
            return out(s, String::new(), 0);
        }
        let mut names: Vec<&str> = plan.iter().map(|p| p.name.as_str()).collect();
        names.sort_unstable();
        let extra: Vec<&str> = names
            .iter()
            .copied()
            .filter(|n| !requested.iter().any(|r| r == n))
            .collect();
        if !extra.is_empty() {
            s.push_str("The following additional packages will be installed:\n");
            s.push_str(&packages::apt_list(&extra));
        }
        s.push_str("The following NEW packages will be installed:\n");
        s.push_str(&packages::apt_list(&names));
        let download: u64 = plan.iter().map(Found::download).sum();
        let size: u64 = plan.iter().map(Found::size).sum();
        s.push_str(&format!(
            "0 upgraded, {} newly installed, 0 to remove and 0 not upgraded.\nNeed to get {}B of archives.\nAfter this operation, {}B of additional disk space will be used.\n",
            plan.len(),
            packages::apt_size(download),
            packages::apt_size(size)
        ));
        if !extra.is_empty() && !yes {
            // apt asks before installing more than was named; with no answer on its input it
            // gives up (the simulator cannot wait for one).
            s.push_str("Do you want to continue? [Y/n] Abort.\n");
            return out(s, String::new(), 1);
        }
        let pool = distro.pool();
        for (i, p) in plan.iter().enumerate() {
            s.push_str(&format!(
                "Get:{} {pool} {} amd64 {} [{}B]\n",
                i + 1,
                p.name,
                p.version,
                packages::apt_size(p.download())
            ));
        }
        s.push_str(&format!(
            "Fetched {}B in 1s ({}B/s)\n",
            packages::apt_size(download),
            packages::apt_size(download)
        ));
        let mut database = match distro {
            Distro::Noble => 4381,
            Distro::Jessie => 7596,
        };
        database += self
            .view
            .list(DPKG_INFO)
            .unwrap_or_default()
            .iter()
            .filter(|n| n.ends_with(".list"))
            .count()
            * 12;
        for (i, p) in plan.iter().enumerate() {
            s.push_str(&format!(
                "Selecting previously unselected package {}.\n",
                p.name
            ));
            if i == 0 {
                s.push_str(&format!(
                    "(Reading database ... {database} files and directories currently installed.)\n"
                ));
            }
            let file_version = p.version.replace(':', "%3a");
            s.push_str(&format!(
                "Preparing to unpack .../{i}-{}_{file_version}_amd64.deb ...\nUnpacking {} ({}) ...\n",
                p.name, p.name, p.version
            ));
        }
        for p in &plan {
            self.unpack(p);
            s.push_str(&format!("Setting up {} ({}) ...\n", p.name, p.version));
        }
        out(
            s,
            "debconf: delaying package configuration, since apt-utils is not installed\n".into(),
            0,
        )
    }

    /// Put a package's files, links and dpkg records on disk.
    fn unpack(&mut self, p: &Found) {
        for (path, size) in &p.files {
            let exec = path.contains("/bin/")
                || path.contains("/sbin/")
                || path.contains("/libexec/")
                || path.contains("/git-core/git");
            let head: &[u8] = if exec {
                b"\x7fELF (simulated program)"
            } else {
                b""
            };
            self.put(path, head, *size, if exec { 0o755 } else { 0o644 });
        }
        for (pkg, link, target) in packages::LINKS {
            if *pkg == p.name {
                self.view.symlink(target, link);
            }
        }
        self.mkdirs(DPKG_INFO);
        let list: String = p.files.iter().map(|(f, _)| format!("{f}\n")).collect();
        let _ = self.view.write(
            &format!("{DPKG_INFO}/{}.list", p.name),
            list.into_bytes(),
            false,
        );
        let stanza = format!(
            "Package: {}\nStatus: install ok installed\nArchitecture: amd64\nVersion: {}\nInstalled-Size: {}\n\n",
            p.name,
            p.version,
            p.size().div_ceil(1024)
        );
        let _ = self
            .view
            .write("/var/lib/dpkg/status", stanza.into_bytes(), true);
    }

    /// `--version` of a program the package table installed, if `path` is one; anything else
    /// it is asked is refused in one line (the same on the stand-in images). pip and npm are
    /// simulated in full.
    pub(super) fn table_version(&self, path: &str, args: &[String]) -> Option<Output> {
        let real = self.view.resolve(path);
        let p = packages::PROGRAMS.iter().find(|p| p.path == real)?;
        let name = path.rsplit('/').next().unwrap_or(path);
        let asked = args.first().map(String::as_str);
        if ["pip", "pip3", "npm"].contains(&name) && asked != Some("--version") {
            return None;
        }
        Some(match asked {
            Some("--version" | "-V") => out(format!("{}\n", p.version), String::new(), 0),
            _ => out(String::new(), packages::only_version(name), 126),
        })
    }

    /// `pip install …` (and `pip3`): wheels into site-packages, refusing a system-wide install
    /// where the distribution marks its Python as externally managed (PEP 668), as Ubuntu
    /// 24.04 does.
    pub(super) fn pip(&mut self, state: &ShellState, args: &[String]) -> Output {
        if args.first().map(String::as_str) != Some("install") {
            return out(
                String::new(),
                "docktutor: the simulated pip only does `pip install`\n".into(),
                1,
            );
        }
        let (python, site) = if self.view.stat("/usr/lib/python3.12").is_some() {
            ("3.12", "/usr/local/lib/python3.12/dist-packages")
        } else {
            ("2.7", "/usr/local/lib/python2.7/dist-packages")
        };
        let mut names: Vec<String> = Vec::new();
        let mut break_system = false;
        let mut it = args[1..].iter();
        while let Some(a) = it.next() {
            match a.as_str() {
                "--break-system-packages" => break_system = true,
                "-r" | "--requirement" => {
                    let Some(file) = it.next() else {
                        return out(String::new(), "\nUsage:   \n  pip install [options] <requirement specifier> [package-index-options] ...\n\n-r option requires 1 argument\n".into(), 2);
                    };
                    match self.view.read(&normalize(&state.cwd, file)) {
                        Ok(d) => names.extend(
                            String::from_utf8_lossy(&d)
                                .lines()
                                .map(|l| l.split('#').next().unwrap_or("").trim().to_string())
                                .filter(|l| !l.is_empty() && !l.starts_with('-')),
                        ),
                        Err(_) => {
                            return out(String::new(), format!("ERROR: Could not open requirements file: [Errno 2] No such file or directory: '{file}'\n"), 1)
                        }
                    }
                }
                a if a.starts_with('-') => {}
                a => names.push(a.to_string()),
            }
        }
        if names.is_empty() {
            return out(String::new(), "ERROR: You must give at least one requirement to install (see \"pip help install\")\n".into(), 1);
        }
        if !break_system
            && self
                .view
                .stat(&format!("/usr/lib/python{python}/EXTERNALLY-MANAGED"))
                .is_some()
        {
            return out(String::new(), EXTERNALLY_MANAGED.into(), 1);
        }
        // name==1.0, name>=1 …: the table has one version of each.
        let bare = |n: &str| {
            n.split(['=', '<', '>', '~', '!', '[', ';', ' '])
                .next()
                .unwrap_or(n)
                .to_string()
        };
        let mut s = String::new();
        let mut todo: Vec<(String, Option<String>)> =
            names.iter().map(|n| (bare(n), None)).collect();
        let mut chosen: Vec<(String, String, String, u64)> = Vec::new();
        while !todo.is_empty() {
            let (name, parent) = todo.remove(0);
            let (name, version, module, size, requires) = packages::find_wheel(&name);
            if chosen.iter().any(|c| c.0 == name) {
                continue;
            }
            let info = format!("{site}/{module}-{version}.dist-info");
            let have = self
                .view
                .list(site)
                .unwrap_or_default()
                .into_iter()
                .any(|n| {
                    n.to_ascii_lowercase()
                        .starts_with(&format!("{}-", module.to_ascii_lowercase()))
                        && n.ends_with(".dist-info")
                });
            if have {
                let from = parent.map(|p| format!(" (from {p})")).unwrap_or_default();
                s.push_str(&format!(
                    "Requirement already satisfied: {name} in {site} ({version}){from}\n"
                ));
                continue;
            }
            let _ = info;
            match &parent {
                Some(p) => s.push_str(&format!("Collecting {name} (from {p})\n")),
                None => s.push_str(&format!("Collecting {name}\n")),
            }
            let file = format!("{}-{version}-py3-none-any.whl", name.replace('-', "_"));
            s.push_str(&format!(
                "  Downloading {file} ({})\n",
                pip_size(size / 3 + 2_000)
            ));
            for r in requires {
                todo.push((r, Some(name.clone())));
            }
            chosen.push((name, version, module, size));
        }
        if !chosen.is_empty() {
            // Dependencies are installed before what needs them.
            let order: Vec<&str> = chosen.iter().rev().map(|c| c.0.as_str()).collect();
            s.push_str(&format!(
                "Installing collected packages: {}\n",
                order.join(", ")
            ));
            for (name, version, module, size) in &chosen {
                let dist = format!("{site}/{module}-{version}.dist-info");
                self.put(
                    &format!("{dist}/METADATA"),
                    format!("Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n").as_bytes(),
                    900,
                    0o644,
                );
                let _ = self
                    .view
                    .write(&format!("{dist}/INSTALLER"), b"pip\n".to_vec(), false);
                self.put(
                    &format!("{site}/{module}/__init__.py"),
                    format!("# {name} {version}\n").as_bytes(),
                    size.saturating_sub(900),
                    0o644,
                );
            }
            let mut done: Vec<String> = chosen
                .iter()
                .map(|(n, v, _, _)| format!("{n}-{v}"))
                .collect();
            done.sort();
            s.push_str(&format!("Successfully installed {}\n", done.join(" ")));
        }
        out(s, ROOT_WARNING.into(), 0)
    }

    /// `npm install [PKG…]` (also `npm i`, `npm ci`): packages into ./node_modules, recorded
    /// in package.json and package-lock.json.
    pub(super) fn npm(&mut self, state: &ShellState, args: &[String]) -> Output {
        let words: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
        match words.first().map(|s| s.as_str()) {
            Some("install" | "i" | "ci" | "add") => {}
            Some(other) => {
                return out(
                    String::new(),
                    format!("docktutor: the simulated npm does not do `{other}` (npm install works)\n"),
                    1,
                )
            }
            None => return out("npm <command>\n\nUsage:\n\nnpm install        install all the dependencies in your project\n".into(), String::new(), 1),
        }
        let global = args.iter().any(|a| a == "-g" || a == "--global");
        let root = if global {
            "/usr/local/lib".to_string()
        } else {
            state.cwd.clone()
        };
        let manifest = normalize(&root, "package.json");
        let mut json: serde_json::Value = match self.view.read(&manifest) {
            Ok(d) => match serde_json::from_slice(&d) {
                Ok(v) => v,
                Err(e) => {
                    return out(String::new(), format!("npm ERR! code EJSONPARSE\nnpm ERR! JSON.parse Invalid package.json: JSONParseError: {e}\n"), 1)
                }
            },
            Err(_) => serde_json::json!({}),
        };
        let mut wanted: Vec<String> = json
            .get("dependencies")
            .and_then(|d| d.as_object())
            .map(|d| d.keys().cloned().collect())
            .unwrap_or_default();
        let named: Vec<String> = words[1..]
            .iter()
            .map(|w| {
                // express@4 → express
                match w.rsplit_once('@') {
                    Some((n, _)) if !n.is_empty() => n.to_string(),
                    _ => w.to_string(),
                }
            })
            .collect();
        for n in &named {
            if !wanted.contains(n) {
                wanted.push(n.clone());
            }
        }
        let modules = normalize(&root, "node_modules");
        let mut added = 0;
        let mut total = 1;
        let mut lock = serde_json::Map::new();
        for name in &wanted {
            let (name, version, size, deps) = packages::find_node_package(name);
            let mut all = vec![(name.clone(), version.clone(), size)];
            all.extend(deps);
            for (n, v, size) in all {
                total += 1;
                let dir = format!("{modules}/{n}");
                lock.insert(
                    format!("node_modules/{n}"),
                    serde_json::json!({ "version": v }),
                );
                if self.view.stat(&format!("{dir}/package.json")).is_some() {
                    continue;
                }
                added += 1;
                self.put(
                    &format!("{dir}/package.json"),
                    format!("{{\n  \"name\": \"{n}\",\n  \"version\": \"{v}\"\n}}\n").as_bytes(),
                    600,
                    0o644,
                );
                self.put(
                    &format!("{dir}/index.js"),
                    format!("// {n} {v}\n").as_bytes(),
                    size.saturating_sub(600),
                    0o644,
                );
            }
            if named.contains(&name) && !global {
                let deps = json
                    .as_object_mut()
                    .expect("an object")
                    .entry("dependencies")
                    .or_insert_with(|| serde_json::json!({}));
                if let Some(d) = deps.as_object_mut() {
                    d.entry(name.clone())
                        .or_insert_with(|| serde_json::json!(format!("^{version}")));
                }
            }
        }
        if !global {
            if !named.is_empty() {
                let text = serde_json::to_string_pretty(&json).unwrap_or_default() + "\n";
                let _ = self.view.write(&manifest, text.into_bytes(), false);
            }
            let lockfile = serde_json::json!({
                "name": json.get("name").cloned().unwrap_or(serde_json::json!(super::fs::base(&root))),
                "lockfileVersion": 3,
                "requires": true,
                "packages": lock,
            });
            let text = serde_json::to_string_pretty(&lockfile).unwrap_or_default() + "\n";
            let _ = self.view.write(
                &normalize(&root, "package-lock.json"),
                text.into_bytes(),
                false,
            );
        }
        let plural = |n: usize| if n == 1 { "package" } else { "packages" };
        let s = if added == 0 {
            format!(
                "\nup to date, audited {total} {} in 1s\n\nfound 0 vulnerabilities\n",
                plural(total)
            )
        } else {
            format!(
                "\nadded {added} {}, and audited {total} {} in 2s\n\nfound 0 vulnerabilities\n",
                plural(added),
                plural(total)
            )
        };
        out(s, String::new(), 0)
    }
}

/// pip's `format_size`.
fn pip_size(bytes: u64) -> String {
    if bytes > 1_000_000 {
        format!("{:.1} MB", bytes as f64 / 1_000_000.0)
    } else if bytes > 10_000 {
        format!("{} kB", bytes / 1000)
    } else if bytes > 1000 {
        format!("{:.1} kB", bytes as f64 / 1000.0)
    } else {
        format!("{bytes} bytes")
    }
}

pub const ROOT_WARNING: &str = "WARNING: Running pip as the 'root' user can result in broken permissions and conflicting behaviour with the system package manager. It is recommended to use a virtual environment instead: https://pip.pypa.io/warnings/venv\n";

/// What pip prints on Debian and Ubuntu when asked to install into the system's Python.
pub const EXTERNALLY_MANAGED: &str = "error: externally-managed-environment

\u{d7} This environment is externally managed
\u{2570}\u{2500}> To install Python packages system-wide, try apt install
    python3-xyz, where xyz is the package you are trying to
    install.
    
    If you wish to install a non-Debian-packaged Python package,
    create a virtual environment using python3 -m venv path/to/venv.
    Then use path/to/venv/bin/python to run scripts and use
    path/to/venv/bin/pip to install packages. Make sure you have
    python3-full installed.
    
    If you wish to install a non-Debian packaged Python application,
    it may be easiest to use pipx install xyz, which will manage a
    virtual environment for you. Make sure you have pipx installed.
    
    See /usr/share/doc/python3.12/README.venv for more information.

note: If you believe this is a mistake, please contact your Python installation or OS distribution provider. You can override this, at the risk of breaking your Python installation or OS, by passing --break-system-packages.
hint: See PEP 668 for the detailed specification.
";
