import Foundation
import NIOCore
import NIOPosix
import Testing

extension FleetSuites {
    /// The script host is a child process: it must not hold copies of the server's sockets (SwiftNIO's are not
    /// close-on-exec), or a connection the server closes stays open for its peer.
    @Suite("Script host descriptors") struct ScriptHostDescriptorTests {
        @Test func theScriptHostInheritsNoSocket() async throws {
            // A socket of this process that a careless spawn would hand to the child.
            let listener = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .bind(host: "127.0.0.1", port: 0).get()
            let script = try scriptFile(
                """
                const fs = require('fs');
                const sockets = fs.readdirSync('/proc/self/fd').filter((fd) => {
                  try { return fs.readlinkSync('/proc/self/fd/' + fd).startsWith('socket:'); } catch (e) { return false; }
                });
                let session;
                exports.ssExports = {
                  init(s) { session = s; },
                  onPlayerAccepted(player) {
                    session.sendReliableMessage(session.newTextGameMessage(1, -1, sockets.join(',')), player.peerId);
                  },
                };
                """
            )
            let running = try await FleetServer.start(script: script)
            let player = try await running.player("psess-fd")
            #expect(await player.message(1) == "")
            await player.close()
            await running.stop()
            try await listener.close()
        }
    }
}
