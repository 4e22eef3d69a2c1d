fn main() -> std::process::ExitCode {
    yingji::cli::main()
}
