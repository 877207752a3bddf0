fn main() -> std::process::ExitCode {
    docktutor::run()
}
