import Foundation
import RealtimeServer

/// The GameServer as the Agones SDK sidecar's REST API returns it (grpc-gateway JSON: snake_case names, int64 values
/// as strings; both forms of integers are read).
struct AgonesGameServer: Decodable, Sendable, Hashable {
    struct ObjectMeta: Decodable, Sendable, Hashable {
        var name = ""
        var namespace: String?
        var annotations: [String: String] = [:]
        var labels: [String: String] = [:]

        private enum CodingKeys: String, CodingKey { case name, namespace, annotations, labels }

        init() {}

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            name = try container.decodeIfPresent(String.self, forKey: .name) ?? ""
            namespace = try container.decodeIfPresent(String.self, forKey: .namespace)
            annotations = try container.decodeIfPresent([String: String].self, forKey: .annotations) ?? [:]
            labels = try container.decodeIfPresent([String: String].self, forKey: .labels) ?? [:]
        }
    }

    struct Health: Decodable, Sendable, Hashable {
        var disabled = false
        /// Seconds between the health checks Agones expects (default 5).
        var periodSeconds: Int64 = 5

        private enum CodingKeys: String, CodingKey {
            case disabled
            case periodSeconds = "period_seconds"
        }

        init() {}

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            disabled = try container.decodeIfPresent(Bool.self, forKey: .disabled) ?? false
            periodSeconds = try container.decodeLenientIntegerIfPresent(forKey: .periodSeconds) ?? 5
        }
    }

    struct Port: Decodable, Sendable, Hashable {
        var name: String
        var port: Int

        private enum CodingKeys: String, CodingKey { case name, port }

        init(name: String, port: Int) {
            self.name = name
            self.port = port
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            name = try container.decodeIfPresent(String.self, forKey: .name) ?? ""
            port = Int(try container.decodeLenientIntegerIfPresent(forKey: .port) ?? 0)
        }
    }

    var objectMeta = ObjectMeta()
    var health = Health()
    var state = ""
    var address = ""
    var ports: [Port] = []

    private enum CodingKeys: String, CodingKey {
        case objectMeta = "object_meta"
        case spec, status
    }

    private enum SpecKeys: String, CodingKey { case health }
    private enum StatusKeys: String, CodingKey { case state, address, ports }

    init() {}

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        objectMeta = try container.decodeIfPresent(ObjectMeta.self, forKey: .objectMeta) ?? ObjectMeta()
        if container.contains(.spec), try !container.decodeNil(forKey: .spec) {
            let spec = try container.nestedContainer(keyedBy: SpecKeys.self, forKey: .spec)
            health = try spec.decodeIfPresent(Health.self, forKey: .health) ?? Health()
        }
        if container.contains(.status), try !container.decodeNil(forKey: .status) {
            let status = try container.nestedContainer(keyedBy: StatusKeys.self, forKey: .status)
            state = try status.decodeIfPresent(String.self, forKey: .state) ?? ""
            address = try status.decodeIfPresent(String.self, forKey: .address) ?? ""
            ports = try status.decodeIfPresent([Port].self, forKey: .ports) ?? []
        }
    }

    /// Parses the sidecar's JSON: a GameServer, or a watch line `{"result": GameServer}`.
    static func parse(_ text: String) throws -> AgonesGameServer {
        struct WatchLine: Decodable { var result: AgonesGameServer }
        let data = Data(text.utf8)
        do {
            if let line = try? JSONDecoder().decode(WatchLine.self, from: data) { return line.result }
            return try JSONDecoder().decode(AgonesGameServer.self, from: data)
        } catch let error as DecodingError {
            throw FleetError(
                .badResponse,
                "a GameServer from the Agones sidecar that cannot be read: \(describe(error))"
            )
        }
    }

    /// The TCP and UDP ports players reach, for a port named `name` (nil: the first port): `<name>-tcp` and
    /// `<name>-udp` for a TCPUDP port, else the port itself for both.
    func externalPorts(named name: String?) -> (tcp: Int, udp: Int)? {
        let base: String
        if let name {
            base = name
        } else if let first = ports.first {
            base =
                first.name.hasSuffix("-tcp") || first.name.hasSuffix("-udp")
                ? String(first.name.dropLast(4)) : first.name
        } else {
            return nil
        }
        let plain = ports.first { $0.name == base }?.port
        guard let tcp = ports.first(where: { $0.name == base + "-tcp" })?.port ?? plain,
            let udp = ports.first(where: { $0.name == base + "-udp" })?.port ?? plain
        else { return nil }
        return (tcp, udp)
    }

    /// The game session this allocation starts: id and name from the GameServer's name, the allocation's
    /// annotations as game properties (`gameSessionData` and `matchmakerData` annotations also as those fields).
    func gameSession(port: Int?) -> FleetGameSession {
        FleetGameSession(
            gameSessionId: objectMeta.annotations["gameSessionId"] ?? objectMeta.name,
            name: objectMeta.name,
            port: port,
            ipAddress: address.isEmpty ? nil : address,
            gameSessionData: objectMeta.annotations["gameSessionData"],
            matchmakerData: objectMeta.annotations["matchmakerData"],
            gameProperties: objectMeta.annotations
        )
    }
}
