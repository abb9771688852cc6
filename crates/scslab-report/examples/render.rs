//! Renders the report of an output folder without the CLI, for working on the report itself:
//! `cargo run -p scslab-report --example render -- DIR [FILE]` (FILE defaults to DIR/report.html).

fn main() {
    let mut args = std::env::args_os().skip(1);
    let Some(dir) = args.next().map(std::path::PathBuf::from) else {
        eprintln!("usage: render DIR [FILE]");
        std::process::exit(2);
    };
    let path = args.next().map_or_else(|| scslab_report::default_path(&dir), std::path::PathBuf::from);
    match scslab_report::render(&dir).and_then(|r| scslab_report::write(&r, &path)) {
        Ok(path) => println!("{}", path.display()),
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    }
}
