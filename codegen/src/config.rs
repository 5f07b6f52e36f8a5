//! The library entry point: [`Config`] says where the IDL is, which packages to generate and where
//! the Rust goes; [`Config::generate`] is the pure function, the other methods write or compare.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use std::sync::Mutex;

use crate::diag::Color;
use crate::emit;
use crate::ir::Model;
use crate::load::{LoadError, check_packages, load_dir};
use crate::pipeline::{self, Output};
use crate::render::RenderError;
use crate::writer::{MARKER, Staging, Stale, WriteError};

/// How the generated Rust is laid out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Layout {
    /// One file of nested modules, for `include!` (the build script default).
    SingleFile(String),
    /// One file per module below the output directory, `lib.rs` at the root (for a crate of
    /// checked-in bindings such as `vapi-bindings`).
    ModulePerFile,
}

/// Settings for one run of the generator.
///
/// # Example: from a build script
///
/// ```no_run
/// // build.rs
/// fn main() -> Result<(), vapi_codegen::Error> {
///     vapi_codegen::Config::new()
///         .idl_dir("../idl")
///         .package("com.vmware.content.library.item")
///         .compile()
/// }
/// ```
///
/// and in the crate, with `vapi-runtime` and `serde` as dependencies:
///
/// ```ignore
/// pub mod vapi {
///     include!(concat!(env!("OUT_DIR"), "/vapi.rs"));
/// }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    idl_dir: PathBuf,
    out_dir: Option<PathBuf>,
    packages: Vec<String>,
    layout: Layout,
    header: String,
    rerun_if_changed: bool,
    ends: emit::rest::Options,
}

impl Default for Config {
    fn default() -> Self {
        Config::new()
    }
}

/// Why a run failed.
pub enum Error {
    /// The IDL could not be read or has mistakes.
    Load(LoadError),
    /// The generator produced invalid Rust (a bug in the generator).
    Render(RenderError),
    /// The output could not be read or written.
    Write(WriteError),
    /// No output directory was set and `OUT_DIR` is not set (not running in a build script).
    NoOutDir,
}

impl Error {
    /// The process exit code for the error: 1 for mistakes in the IDL, 2 for I/O and usage.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Load(LoadError::Idl(_)) => 1,
            _ => 2,
        }
    }

    /// The error as a command line shows it: diagnostics in colour with [`Color::Always`],
    /// everything else as its `Display`.
    ///
    /// ```no_run
    /// use vapi_codegen::diag::Color;
    ///
    /// if let Err(e) = vapi_codegen::Config::new().idl_dir("idl").out_dir("out").write() {
    ///     eprintln!("{}", e.render(Color::auto(&std::io::stderr())));
    /// }
    /// ```
    pub fn render(&self, color: Color) -> String {
        match self {
            Error::Load(LoadError::Idl(diags)) => diags.render(color),
            other => other.to_string(),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Load(e) => e.fmt(f),
            Error::Render(e) => e.fmt(f),
            Error::Write(e) => e.fmt(f),
            Error::NoOutDir => f.write_str(
                "error: no output directory: call `Config::out_dir` or run from a build script",
            ),
        }
    }
}

// `fn main() -> Result<(), Error>` prints the error with `Debug`: show the diagnostics as
// written, not a struct dump, so that a build script failure reads like a compiler error.
impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "\n{self}")
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Load(e) => Some(e),
            Error::Render(e) => Some(e),
            Error::Write(e) => Some(e),
            Error::NoOutDir => None,
        }
    }
}

impl Config {
    /// The defaults for a build script: IDL in `idl/` (relative to the crate being built), all
    /// packages, one file `vapi.rs` in `OUT_DIR`, `cargo:rerun-if-changed` printed.
    pub fn new() -> Self {
        Config {
            idl_dir: PathBuf::from("idl"),
            out_dir: None,
            packages: Vec::new(),
            layout: Layout::SingleFile("vapi.rs".to_owned()),
            header: format!("{MARKER} by vapi-codegen from the vAPI IDL. Do not edit."),
            rerun_if_changed: true,
            ends: emit::rest::Options::default(),
        }
    }

    /// The defaults for checked-in bindings, as `cargo run -p vapi-codegen` writes them: one file
    /// per module with `lib.rs` at the root, a header naming that command, no
    /// `cargo:rerun-if-changed` lines, and a client and a server per service behind the
    /// crate's `client` and `server` features. Set the directories with [`Config::idl_dir`]
    /// and [`Config::out_dir`].
    ///
    /// ```
    /// let mut config = vapi_codegen::Config::checked_in();
    /// config.idl_dir("idl").out_dir("generated/src");
    /// ```
    pub fn checked_in() -> Self {
        let mut config = Config::new();
        config
            .layout(Layout::ModulePerFile)
            .header(format!(
                "{MARKER} by `{}` from the IDL. Do not edit.",
                emit::REGENERATE
            ))
            .rerun_if_changed(false)
            .build_client(true)
            .build_server(true)
            .feature_gates(true);
        config
    }

    /// The directory holding the IDL files (`com/vmware/…/*.yaml`).
    ///
    /// ```
    /// let mut config = vapi_codegen::Config::new();
    /// config.idl_dir("../idl");
    /// ```
    pub fn idl_dir(&mut self, dir: impl Into<PathBuf>) -> &mut Self {
        self.idl_dir = dir.into();
        self
    }

    /// Where to write; defaults to the `OUT_DIR` cargo gives build scripts.
    ///
    /// ```
    /// let mut config = vapi_codegen::Config::new();
    /// config.out_dir("target/bindings");
    /// ```
    pub fn out_dir(&mut self, dir: impl Into<PathBuf>) -> &mut Self {
        self.out_dir = Some(dir.into());
        self
    }

    /// Generates this package and every package it references; call once per package. Without
    /// any call, every package of the IDL is generated.
    ///
    /// ```
    /// let mut config = vapi_codegen::Config::new();
    /// config.package("com.vmware.content.library.item");
    /// ```
    pub fn package(&mut self, name: impl Into<String>) -> &mut Self {
        self.packages.push(name.into());
        self
    }

    /// How to lay the output out; [`Layout::SingleFile`]`("vapi.rs")` by default.
    ///
    /// ```
    /// use vapi_codegen::{Config, Layout};
    /// let mut config = Config::new();
    /// config.layout(Layout::ModulePerFile);
    /// ```
    pub fn layout(&mut self, layout: Layout) -> &mut Self {
        self.layout = layout;
        self
    }

    /// The comment line every generated file starts with. It must start with `// @generated`,
    /// which is how the writer recognises files it may replace or remove; other values are
    /// prefixed with it.
    ///
    /// ```
    /// let mut config = vapi_codegen::Config::new();
    /// config.header("// @generated by `cargo run -p vapi-codegen`. Do not edit.");
    /// ```
    pub fn header(&mut self, header: impl Into<String>) -> &mut Self {
        let header = header.into();
        self.header = if header.starts_with(MARKER) {
            header
        } else {
            format!("{MARKER}: {header}")
        };
        self
    }

    /// Whether to print `cargo:rerun-if-changed` for the IDL directory and every file read
    /// (on by default; turn off outside build scripts).
    ///
    /// ```
    /// let mut config = vapi_codegen::Config::new();
    /// config.rerun_if_changed(false);
    /// ```
    pub fn rerun_if_changed(&mut self, on: bool) -> &mut Self {
        self.rerun_if_changed = on;
        self
    }

    /// Whether to generate a `Client` per service, implementing its trait over the `/api` REST
    /// mapping of the IDL (default: no). The crate then needs `vapi-runtime` with its `client`
    /// feature.
    ///
    /// ```
    /// let mut config = vapi_codegen::Config::new();
    /// config.build_client(true);
    /// ```
    pub fn build_client(&mut self, on: bool) -> &mut Self {
        self.ends.client = on;
        self
    }

    /// Whether to generate a `router` per service, serving `/api` from any implementation of
    /// its trait (default: no). The crate then needs `vapi-runtime` with its `server` feature.
    ///
    /// ```
    /// let mut config = vapi_codegen::Config::new();
    /// config.build_server(true);
    /// ```
    pub fn build_server(&mut self, on: bool) -> &mut Self {
        self.ends.server = on;
        self
    }

    /// Whether the client and server code sits behind `#[cfg(feature = "client")]` and
    /// `#[cfg(feature = "server")]`, features of the crate that includes it (default: no).
    ///
    /// ```
    /// let mut config = vapi_codegen::Config::new();
    /// config.build_client(true).build_server(true).feature_gates(true);
    /// ```
    pub fn feature_gates(&mut self, on: bool) -> &mut Self {
        self.ends.feature_gates = on;
        self
    }

    /// Loads the IDL and returns every output file, path (relative to the output directory)
    /// to contents, formatted. Writes nothing.
    ///
    /// # Errors
    ///
    /// [`Error::Load`] with every located mistake of the IDL, or [`Error::Render`].
    pub fn generate(&self) -> Result<BTreeMap<String, String>, Error> {
        let model = self.load()?;
        pipeline::files(&model, &self.output(true))
    }

    fn load(&self) -> Result<Model, Error> {
        let (model, sources) = load_dir(&self.idl_dir).map_err(Error::Load)?;
        if self.rerun_if_changed {
            println!("cargo:rerun-if-changed={}", self.idl_dir.display());
            for path in &sources {
                println!(
                    "cargo:rerun-if-changed={}",
                    self.idl_dir.join(path).display()
                );
            }
        }
        check_packages(&model, &self.packages).map_err(|d| Error::Load(LoadError::Idl(d)))?;
        Ok(model)
    }

    fn output(&self, pretty: bool) -> Output<'_> {
        Output {
            packages: &self.packages,
            ends: self.ends,
            header: &self.header,
            layout: &self.layout,
            pretty,
        }
    }

    /// Generates into the output directory, each file compared (and, with `write`, staged) as
    /// soon as it is made; nothing is replaced unless every file was made and staged.
    fn stream(&self, write: bool, pretty: bool) -> Result<Vec<Stale>, Error> {
        let dir = self.out()?;
        let model = self.load()?;
        let staging = Mutex::new(Staging::new(&dir, self.owns_out_dir(), write));
        pipeline::run(&model, &self.output(pretty), &|name, text| {
            let mut staging = staging.lock().unwrap_or_else(|e| e.into_inner());
            staging.add(&name, &text).map_err(Error::Write)
        })?;
        let staging = staging.into_inner().unwrap_or_else(|e| e.into_inner());
        staging.finish().map_err(Error::Write)
    }

    /// A module-per-file output owns its directory; a single file shares it (with other
    /// outputs of the same build script, say) and never removes anything.
    fn owns_out_dir(&self) -> bool {
        self.layout == Layout::ModulePerFile
    }

    fn out(&self) -> Result<PathBuf, Error> {
        match &self.out_dir {
            Some(dir) => Ok(dir.clone()),
            None => std::env::var_os("OUT_DIR")
                .map(PathBuf::from)
                .ok_or(Error::NoOutDir),
        }
    }

    /// Generates and writes the files that changed, removing generated files the IDL no longer
    /// produces. Returns what changed. The files are formatted for people to read.
    ///
    /// # Errors
    ///
    /// As [`Config::generate`], or [`Error::Write`]; on error no file has been replaced.
    pub fn write(&self) -> Result<Vec<Stale>, Error> {
        self.stream(true, true)
    }

    /// What a build script calls: [`Config::write`], discarding the list of changes, and
    /// without formatting: the output is `include!`d, read by the compiler only, so it is the
    /// generated tokens' text (valid Rust on long lines), which takes a fraction of the time
    /// of parsing and pretty-printing it. Call [`Config::write`] to read the output.
    ///
    /// # Errors
    ///
    /// As [`Config::write`].
    pub fn compile(&self) -> Result<(), Error> {
        self.stream(true, false).map(|_| ())
    }

    /// Compares the output directory with what the IDL generates, writing nothing; an empty
    /// list means it is up to date.
    ///
    /// # Errors
    ///
    /// As [`Config::generate`], or [`Error::Write`] if the directory cannot be read.
    pub fn check(&self) -> Result<Vec<Stale>, Error> {
        self.stream(false, true)
    }

    /// The IDL directory.
    pub fn idl(&self) -> &Path {
        &self.idl_dir
    }
}
