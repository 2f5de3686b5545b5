import Metrics
import Prometheus

/// The process's metrics backend: Prometheus behind swift-metrics, bootstrapped once by `serve --admin-port`.
enum PrometheusMetrics {
    /// Bootstraps swift-metrics with a Prometheus registry and returns what `/metrics` serves.
    static func bootstrap() -> @Sendable () -> String {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        // Hook calls take well under a millisecond: finer buckets than the default 5 ms … 10 s.
        factory.durationHistogramBuckets["rtctl_script_hook_duration_seconds"] = [
            .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2),
            .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
            .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(5),
        ]
        MetricsSystem.bootstrap(factory)
        return {
            var buffer: [UInt8] = []
            registry.emit(into: &buffer)
            return String(decoding: buffer, as: UTF8.self)
        }
    }
}
