import Testing

@testable import RealtimeFleet

extension FleetSuites {
    @Suite("Agones GameServer JSON") struct AgonesGameServerTests {
        static let json = """
            {"object_meta":{"name":"gs-7","generation":"4","creation_timestamp":"1798761600",
             "annotations":{"gameSessionId":"match-9","mode":"ffa"}},
             "spec":{"health":{"disabled":false,"period_seconds":"8","failure_threshold":3}},
             "status":{"state":"Allocated","address":"10.1.2.3",
                       "ports":[{"name":"rt-tcp","port":7101},{"name":"rt-udp","port":"7102"},{"name":"admin","port":9100}]}}
            """

        @Test func int64AsStringsAndSnakeCaseAreRead() throws {
            let gameServer = try AgonesGameServer.parse(Self.json)
            #expect(gameServer.objectMeta.name == "gs-7")
            #expect(gameServer.health.periodSeconds == 8)
            #expect(gameServer.state == "Allocated")
            #expect(gameServer.ports.map(\.port) == [7101, 7102, 9100])
            let watched = try AgonesGameServer.parse(#"{"result":"# + Self.json + "}")
            #expect(watched == gameServer)
        }

        @Test func aTCPUDPPortIsFoundByItsNameOrAsTheFirst() throws {
            let gameServer = try AgonesGameServer.parse(Self.json)
            #expect(gameServer.externalPorts(named: "rt")! == (7101, 7102))
            #expect(gameServer.externalPorts(named: nil)! == (7101, 7102))
            #expect(gameServer.externalPorts(named: "admin")! == (9100, 9100))
            #expect(gameServer.externalPorts(named: "missing") == nil)
        }

        @Test func theAllocationBecomesTheGameSession() throws {
            let session = try AgonesGameServer.parse(Self.json).gameSession(port: 7101)
            #expect(session.gameSessionId == "match-9")
            #expect(session.name == "gs-7")
            #expect(session.ipAddress == "10.1.2.3")
            #expect(session.gameProperties["mode"] == "ffa")
        }

        @Test(arguments: ["[]", #"{"status":{"ports":[{"name":"x","port":"seven"}]}}"#])
        func unreadableGameServersAreRefused(_ text: String) {
            #expect(throws: FleetError(.badResponse, "")) { try AgonesGameServer.parse(text) }
        }
    }
}
