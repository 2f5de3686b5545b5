import ArgumentParser
import RealtimeServer

/// `serve`'s admin listener flags.
struct AdminFlags: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Serve /healthz, /readyz, /metrics (Prometheus) and a live status page / on this TCP port (0: a free port).",
            valueName: "port"
        )
    )
    var adminPort: Int?

    @Option(help: ArgumentHelp("The address of the admin listener (it has no authentication).", valueName: "host"))
    var adminHost = "127.0.0.1"

    mutating func validate() throws {
        if let adminPort, !(0...65_535).contains(adminPort) {
            throw ValidationError("--admin-port \(adminPort) is not between 0 and 65535")
        }
        guard !adminHost.isEmpty else { throw ValidationError("--admin-host must not be empty") }
    }

    /// The admin configuration these flags describe; nil without `--admin-port`.
    func configuration(metricsText: @escaping @Sendable () -> String) -> AdminConfiguration? {
        guard let adminPort else { return nil }
        var configuration = AdminConfiguration(port: adminPort)
        configuration.host = adminHost
        configuration.metricsText = metricsText
        return configuration
    }
}
