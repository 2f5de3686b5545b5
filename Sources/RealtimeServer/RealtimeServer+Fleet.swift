import Logging

extension RealtimeServer {
    /// Runs the fleet agent in a task of its own, with the handle it drives the server through.
    func startFleet(
        _ fleet: any FleetAgent,
        address: ListeningAddress,
        script: ScriptSession?,
        ending: SessionEnding,
        terminate: @escaping @Sendable () -> Void
    ) -> Task<Void, Never> {
        let status = self.status
        let logger = self.logger
        let control = FleetControl(
            address: address,
            status: status,
            startGameSession: { gameSession in
                logger.info(
                    "starting the game session",
                    metadata: ["gameSessionId": "\(gameSession.gameSessionId)"]
                )
                if let script, await !script.startGameSession(gameSession) { return false }
                status.setGameSessionId(gameSession.gameSessionId)
                status.update { $0.gameSession = .active }
                return true
            },
            updateGameSession: { update in
                script?.updateGameSession(update)
            },
            terminate: { reason in
                logger.info("the fleet manager ends the process: \(reason)")
                terminate()
            },
            fail: { reason in
                ending.fail(reason)
            }
        )
        return Task {
            do {
                try await fleet.run(control)
            } catch is CancellationError {
                return
            } catch {
                ending.fail("\(error)")
            }
        }
    }
}
