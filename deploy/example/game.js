// A small GameLift Realtime script for the deploy examples: it greets each player with the game session's
// properties, relays everything as usual, and ends the game session when the last player leaves.
'use strict';

let session;
let gameSession = {};
let players = 0;

function onStartGameSession(startedGameSession) {
  gameSession = startedGameSession;
  session.getLogger().info('game session started', session.getGameSessionId());
}

function onPlayerAccepted(player) {
  players += 1;
  const greeting = JSON.stringify({ gameSessionId: session.getGameSessionId(), properties: gameSession.gameProperties || {} });
  session.sendReliableMessage(session.newTextGameMessage(1, session.getServerId(), greeting), player.peerId);
}

function onPlayerDisconnect() {
  players -= 1;
  if (players === 0) session.processEnding();
}

function onHealthCheck() {
  return true;
}

exports.ssExports = {
  configuration: { maxPlayers: 32 },
  init(rtSession) { session = rtSession; },
  onStartGameSession,
  onPlayerAccepted,
  onPlayerDisconnect,
  onHealthCheck,
};
