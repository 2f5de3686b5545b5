#compdef rtctl

__rtctl_complete() {
    local -ar non_empty_completions=("${@:#(|:*)}")
    local -ar empty_completions=("${(M)@:#(|:*)}")
    _describe -V '' non_empty_completions -- empty_completions -P $'\'\''
}

__rtctl_custom_complete() {
    local -a completions
    completions=("${(@f)"$("${command_name}" "${@}" "${command_line[@]}")"}")
    if [[ "${#completions[@]}" -gt 1 ]]; then
        __rtctl_complete "${completions[@]:0:-1}"
    fi
}

__rtctl_cursor_index_in_current_word() {
    if [[ -z "${QIPREFIX}${IPREFIX}${PREFIX}" ]]; then
        printf 0
    else
        printf %s "${#${(z)LBUFFER}[-1]}"
    fi
}

_rtctl() {
    emulate -RL zsh -G
    setopt extendedglob nullglob numericglobsort
    unsetopt aliases banghist

    local -xr SAP_SHELL=zsh
    local -x SAP_SHELL_VERSION
    SAP_SHELL_VERSION="$(builtin emulate zsh -c 'printf %s "${ZSH_VERSION}"')"
    local -r SAP_SHELL_VERSION

    local context state state_descr line
    local -A opt_args

    local -r command_name="${words[1]}"
    local -ar command_line=("${words[@]}")
    local -ir current_word_index="$((CURRENT - 1))"

    local -i ret=1
    local -ar arg_specs=(
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
        '(-): :->command'
        '(-)*:: :->arg'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0
    case "${state}" in
    command)
        local -ar subcommands=(
            'serve:Serve one Realtime game session (WebSocket + UDP) until SIGINT or SIGTERM.'
            'connect:Connect as one player: actions in, events out (an interactive prompt on a terminal).'
            'send:Connect, send one message (from flags) or the actions on standard input, flush and disconnect.'
            'listen:Connect as one player and print every event it receives, one JSON line each.'
            'groups:Group operations as one-shot commands: members, join, leave, watch.'
            'bench:Load-test a Realtime server with many clients and report latency, loss and throughput.'
            'replay:Replay a recording against a server, one client per recorded player, and verify what they get.'
            'cert:Write a CA and a server certificate for local testing of secure mode (PEM files).'
            'help:Show subcommand help information.'
        )
        _describe -V subcommand subcommands && ret=0
        ;;
    arg)
        case "${words[1]}" in
        serve|connect|send|listen|groups|bench|replay|cert|help)
            "_rtctl_${words[1]}" && ret=0
            ;;
        esac
        ;;
    esac

    return "${ret}"
}

_rtctl_serve() {
    local -i ret=1
    local -ar ___session_loop=('auto' 'own' 'shared')
    local -ar ___log_level=('trace' 'debug' 'info' 'notice' 'warning' 'error')
    local -ar ___log_format=('text' 'json')
    local -ar arg_specs=(
        '--host[The address to listen on (IPv4 or IPv6, e.g. 127.0.0.1 or \:\:).]:host:'
        '--port[The WebSocket (TCP) port; 0 picks a free port (default\: 1900; with --agones, the port the GameServer reports).]:port:'
        '--udp-port[The UDP port (default\: the TCP port'\''s number; 0 picks a free port).]:udp-port:'
        '--max-players[The most players connected at once (default\: 32, or the script'\''s configuration.maxPlayers).]:max-players:'
        '--ping-interval[Milliseconds between WebSocket pings; a connection silent for three intervals is closed (default\: 3000, or the script'\''s configuration.pingIntervalTime).]:ping-interval:'
        '--game-session-id[The game session id (default\: a generated one).]:game-session-id:'
        '*--reserve[Reserve a player session id; only reserved ids may log in (repeatable).]:id:'
        '--player-sessions[A file of player session ids to reserve, one per line; blank lines and # comments are ignored.]:file:'
        '--announce-membership[Send group membership updates to a group'\''s members whenever the group changes.]'
        '--announce-players[Tell every player when a player connects or disconnects (op codes -101 and -103).]'
        '--udp-any-source[Accept a peer'\''s UDP association from any source address (behind a WebSocket proxy). Risk\: anyone who knows a peer id can then race its first -5 or take its fast channel after 5 s of silence (until the player sends again); use secure mode where that matters.]'
        '--record[Record every event of the session to this file (JSON lines; replay it with rtctl replay).]:file:'
        '--threads[Event-loop threads for the WebSocket connections (default\: one per core). The game session and its UDP socket live on the first of them, or on one more thread of their own (--session-loop). Beside other busy processes, fewer than the cores\: busy threads that take turns on a core show in the p99.]:n:'
        '--session-loop[Where the game session runs\: on a thread of its own, which no connection uses (own), or on the connections'\'' first thread (shared). auto\: own with --script (a hook'\''s answer is read sooner), shared without.]:where:{__rtctl_complete "${___session_loop[@]}"}'
        '--flush-interval[Under load, reliable messages leave in batches at most this often (one write per connection per batch); a quiet server sends at once. Longer batches cost less CPU and add up to this much latency.]:duration:'
        '--tls-cert[Secure mode\: the server'\''s certificate chain, PEM, leaf first (e.g. rtctl cert'\''s server.pem).]:file:'
        '--tls-key[Secure mode\: the private key of --tls-cert, unencrypted PEM.]:file:'
        '--tls-ca[Secure mode\: the CA certificate (PEM) clients get as caCert (default\: the top of the --tls-cert chain).]:file:'
        '--rate-limit[Messages per second each player may send, counted apart on the WebSocket and over UDP. Datagrams beyond it are dropped; WebSocket messages beyond it wait (the server stops reading the connection\: the sender is slowed down, nothing is lost). Logged once per player every 10 s. 0 turns the limit off.]:msgs/s:'
        '--burst[How many messages may arrive at once above the rate (default\: the rate).]:n:'
        '--rate-limit-kick[Disconnect (1008 "rate limit exceeded") a player that keeps sending more than twice its rate limit over UDP, or is held back on its WebSocket without a break, for this long; 0 never disconnects.]:duration:'
        '--login-timeout[Close a connection that has not logged in this long after connecting (1008 "login timeout").]:duration:'
        '--max-pending[Connections that have not logged in, at most; a new one closes the oldest of them.]:n:'
        '--max-connections[TCP connections at once, at most; more are closed as soon as they are accepted (default\: max players + max pending + 64, within the open-file limit; given, it is used as is).]:n:'
        '--reconnect-grace[How long a player whose connection was lost (no close frame) keeps its slot, peer id and groups for a login with the same player session id; 0 removes it at once.]:duration:'
        '--max-lag[Close (1008 "too slow") a player whose oldest unsent reliable message is older than this; 0 turns the check off.]:duration:'
        '--udp-receive-buffer[The receive buffer (SO_RCVBUF) of each UDP socket of the fast port\: the shared one, and each bound player'\''s own. How much the kernel holds while the server is busy; small keeps fast messages from arriving late (past it they are dropped); capped by net.core.rmem_max.]:bytes:'
        '--script[A GameLift Realtime (exports.ssExports) or GameSparks Realtime (RTSession) script to run on Node.js.]:file:'
        '--node[The Node.js executable (18 or newer) that runs the script.]:path:'
        '*--script-arg[A launch argument for the script'\''s onProcessStarted(args), as key=value (repeatable).]:key=value:'
        '--hook-timeout[Milliseconds a script callback may take; a callback that hangs ends the session (exit 1).]:hook-timeout:'
        '--health-interval[Milliseconds between the script'\''s onHealthCheck calls.]:health-interval:'
        '--shutdown-grace[Milliseconds onProcessTerminate may take at SIGINT or SIGTERM before the players are closed.]:shutdown-grace:'
        '--admin-port[Serve /healthz, /readyz, /metrics (Prometheus) and a live status page / on this TCP port (0\: a free port).]:port:'
        '--admin-host[The address of the admin listener (it has no authentication).]:host:'
        '--gamelift[Run as a GameLift custom game server (server SDK 5 protocol; Anywhere or managed EC2).]'
        '--gamelift-url[The GameLift SDK WebSocket URL (default\: $GAMELIFT_SDK_WEBSOCKET_URL).]:url:'
        '--gamelift-fleet-id[The fleet id (default\: $GAMELIFT_SDK_FLEET_ID).]:id:'
        '--gamelift-host-id[The compute (host) id (default\: $GAMELIFT_SDK_HOST_ID).]:id:'
        '--gamelift-auth-token[The auth token (default\: $GAMELIFT_SDK_AUTH_TOKEN).]:token:'
        '--gamelift-process-id[The process id (default\: $GAMELIFT_SDK_PROCESS_ID, else a generated one).]:id:'
        '*--log-path[A file GameLift uploads when the process ends (repeatable).]:path:'
        '--port-range[Take the first port of this range where TCP and UDP are free (several processes on one host).]:A-B:'
        '--agones[Run as an Agones game server (the SDK sidecar'\''s REST API).]'
        '--agones-sdk-port[The Agones SDK sidecar'\''s HTTP port (default\: $AGONES_SDK_HTTP_PORT, else 9358).]:port:'
        '--agones-port-name[The GameServer port to advertise (default\: the first; <name>-udp for a TCPUDP port).]:name:'
        '--log-level[The least severe level logged to stderr (default\: info for serve, notice for the others).]:log-level:{__rtctl_complete "${___log_level[@]}"}'
        '(--quiet -q)'{--quiet,-q}'[Log errors only (same as --log-level error).]'
        '--log-format[How log lines on stderr look\: text, or one JSON object per line.]:log-format:{__rtctl_complete "${___log_format[@]}"}'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_rtctl_connect() {
    local -i ret=1
    local -ar ___payload_format=('auto' 'text' 'base64' 'hex' 'rtdata' 'json')
    local -ar ___log_level=('trace' 'debug' 'info' 'notice' 'warning' 'error')
    local -ar ___log_format=('text' 'json')
    local -ar arg_specs=(
        ':endpoint:'
        '--endpoint[The server'\''s endpoint, instead of the positional argument.]:endpoint:'
        '--player-session-id[The player session id to log in with (default\: $RTCTL_PLAYER_SESSION_ID, else a generated one).]:id:'
        '--connect-payload[The login'\''s connection payload, as UTF-8 text.]:text:'
        '--connect-payload-base64[The login'\''s connection payload, as base64.]:base64:'
        '--no-udp[Keep every message on the WebSocket (no UDP association).]'
        '--payload-format[How payloads are printed\: auto (UTF-8 text as "payload", else "payloadBase64"), text, base64 ("payloadBase64"), hex ("payloadHex"), rtdata ("data"\: GameSparks RTData as JSON), json ("payloadJSON"\: the payload parsed as JSON). A payload the chosen form cannot show is printed as in auto.]:payload-format:{__rtctl_complete "${___payload_format[@]}"}'
        '--connect-timeout[How long connecting and logging in may take.]:duration:'
        '--tls-ca[wss\://\: trust the CA certificates in this PEM file instead of the system'\''s (e.g. rtctl cert'\''s ca.pem).]:file:'
        '--tls-insecure[wss\://\: check neither certificates nor host names, on the WebSocket or the DTLS fast channel (tests only).]'
        '--strict[A malformed input line ends the command (exit 65) instead of being skipped.]'
        '--log-level[The least severe level logged to stderr (default\: info for serve, notice for the others).]:log-level:{__rtctl_complete "${___log_level[@]}"}'
        '(--quiet -q)'{--quiet,-q}'[Log errors only (same as --log-level error).]'
        '--log-format[How log lines on stderr look\: text, or one JSON object per line.]:log-format:{__rtctl_complete "${___log_format[@]}"}'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_rtctl_send() {
    local -i ret=1
    local -ar ___payload_format=('auto' 'text' 'base64' 'hex' 'rtdata' 'json')
    local -ar ___log_level=('trace' 'debug' 'info' 'notice' 'warning' 'error')
    local -ar ___log_format=('text' 'json')
    local -ar arg_specs=(
        ':endpoint:'
        '--endpoint[The server'\''s endpoint, instead of the positional argument.]:endpoint:'
        '--player-session-id[The player session id to log in with (default\: $RTCTL_PLAYER_SESSION_ID, else a generated one).]:id:'
        '--connect-payload[The login'\''s connection payload, as UTF-8 text.]:text:'
        '--connect-payload-base64[The login'\''s connection payload, as base64.]:base64:'
        '--no-udp[Keep every message on the WebSocket (no UDP association).]'
        '--payload-format[How payloads are printed\: auto (UTF-8 text as "payload", else "payloadBase64"), text, base64 ("payloadBase64"), hex ("payloadHex"), rtdata ("data"\: GameSparks RTData as JSON), json ("payloadJSON"\: the payload parsed as JSON). A payload the chosen form cannot show is printed as in auto.]:payload-format:{__rtctl_complete "${___payload_format[@]}"}'
        '--connect-timeout[How long connecting and logging in may take.]:duration:'
        '--tls-ca[wss\://\: trust the CA certificates in this PEM file instead of the system'\''s (e.g. rtctl cert'\''s ca.pem).]:file:'
        '--tls-insecure[wss\://\: check neither certificates nor host names, on the WebSocket or the DTLS fast channel (tests only).]'
        '--opcode[Send one message with this op code (from the flags below).]:n:'
        '--payload[The message'\''s payload as UTF-8 text.]:text:'
        '--payload-base64[The payload as base64.]:base64:'
        '--payload-hex[The payload as hexadecimal digits.]:hex:'
        '--payload-json[The payload as a JSON value, sent as its compact text.]:json:'
        '--data[The payload as RTData, e.g. '\''{"1"\:7,"2"\:"text"}'\''.]:rtdata-json:'
        '--to[Send to this player (-1\: the server script).]:player:'
        '--group[Send to this group (-1\: every player).]:group:'
        '--reliable[Send on the reliable channel (the WebSocket).]'
        '--repeat[Send the message this many times.]:n:'
        '--interval[How long to wait between repeats.]:duration:'
        '--wait-for[Wait for one message with this op code and print it.]:opcode:'
        '--timeout[Give up after this long in all (exit 124).]:duration:'
        '--strict[A malformed input line ends the command (exit 65) instead of being skipped.]'
        '--log-level[The least severe level logged to stderr (default\: info for serve, notice for the others).]:log-level:{__rtctl_complete "${___log_level[@]}"}'
        '(--quiet -q)'{--quiet,-q}'[Log errors only (same as --log-level error).]'
        '--log-format[How log lines on stderr look\: text, or one JSON object per line.]:log-format:{__rtctl_complete "${___log_format[@]}"}'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_rtctl_listen() {
    local -i ret=1
    local -ar ___payload_format=('auto' 'text' 'base64' 'hex' 'rtdata' 'json')
    local -ar ___format=('json' 'text')
    local -ar ___log_level=('trace' 'debug' 'info' 'notice' 'warning' 'error')
    local -ar ___log_format=('text' 'json')
    local -ar arg_specs=(
        ':endpoint:'
        '--endpoint[The server'\''s endpoint, instead of the positional argument.]:endpoint:'
        '--player-session-id[The player session id to log in with (default\: $RTCTL_PLAYER_SESSION_ID, else a generated one).]:id:'
        '--connect-payload[The login'\''s connection payload, as UTF-8 text.]:text:'
        '--connect-payload-base64[The login'\''s connection payload, as base64.]:base64:'
        '--no-udp[Keep every message on the WebSocket (no UDP association).]'
        '--payload-format[How payloads are printed\: auto (UTF-8 text as "payload", else "payloadBase64"), text, base64 ("payloadBase64"), hex ("payloadHex"), rtdata ("data"\: GameSparks RTData as JSON), json ("payloadJSON"\: the payload parsed as JSON). A payload the chosen form cannot show is printed as in auto.]:payload-format:{__rtctl_complete "${___payload_format[@]}"}'
        '--connect-timeout[How long connecting and logging in may take.]:duration:'
        '--tls-ca[wss\://\: trust the CA certificates in this PEM file instead of the system'\''s (e.g. rtctl cert'\''s ca.pem).]:file:'
        '--tls-insecure[wss\://\: check neither certificates nor host names, on the WebSocket or the DTLS fast channel (tests only).]'
        '*--join[A group to join before printing anything (repeatable).]:group:'
        '--count[Exit 0 after this many messages.]:n:'
        '--timeout[Give up after this long in all (exit 124).]:duration:'
        '--idle[Stop after this long without a message.]:duration:'
        '*--opcode[Print only messages with this op code (repeatable).]:n:'
        '--format[json (one JSON object per line) or text (short lines for people).]:format:{__rtctl_complete "${___format[@]}"}'
        '--record[Also write what this client receives to a recording, for rtctl replay (every message, whatever --opcode).]:file:'
        '--log-level[The least severe level logged to stderr (default\: info for serve, notice for the others).]:log-level:{__rtctl_complete "${___log_level[@]}"}'
        '(--quiet -q)'{--quiet,-q}'[Log errors only (same as --log-level error).]'
        '--log-format[How log lines on stderr look\: text, or one JSON object per line.]:log-format:{__rtctl_complete "${___log_format[@]}"}'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_rtctl_groups() {
    local -i ret=1
    local -ar arg_specs=(
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
        '(-): :->command'
        '(-)*:: :->arg'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0
    case "${state}" in
    command)
        local -ar subcommands=(
            'members:Print a group'\''s members (RequestGroupMembership).'
            'join:Join a group and report the server'\''s answer.'
            'leave:Leave a group and report the server'\''s answer.'
            'watch:Stream a group'\''s membership: one line now, then one per change.'
        )
        _describe -V subcommand subcommands && ret=0
        ;;
    arg)
        case "${words[1]}" in
        members|join|leave|watch)
            "_rtctl_groups_${words[1]}" && ret=0
            ;;
        esac
        ;;
    esac

    return "${ret}"
}

_rtctl_groups_members() {
    local -i ret=1
    local -ar ___payload_format=('auto' 'text' 'base64' 'hex' 'rtdata' 'json')
    local -ar ___log_level=('trace' 'debug' 'info' 'notice' 'warning' 'error')
    local -ar ___log_format=('text' 'json')
    local -ar arg_specs=(
        ':group:'
        ':endpoint:'
        '--endpoint[The server'\''s endpoint, instead of the positional argument.]:endpoint:'
        '--player-session-id[The player session id to log in with (default\: $RTCTL_PLAYER_SESSION_ID, else a generated one).]:id:'
        '--connect-payload[The login'\''s connection payload, as UTF-8 text.]:text:'
        '--connect-payload-base64[The login'\''s connection payload, as base64.]:base64:'
        '--no-udp[Keep every message on the WebSocket (no UDP association).]'
        '--payload-format[How payloads are printed\: auto (UTF-8 text as "payload", else "payloadBase64"), text, base64 ("payloadBase64"), hex ("payloadHex"), rtdata ("data"\: GameSparks RTData as JSON), json ("payloadJSON"\: the payload parsed as JSON). A payload the chosen form cannot show is printed as in auto.]:payload-format:{__rtctl_complete "${___payload_format[@]}"}'
        '--connect-timeout[How long connecting and logging in may take.]:duration:'
        '--tls-ca[wss\://\: trust the CA certificates in this PEM file instead of the system'\''s (e.g. rtctl cert'\''s ca.pem).]:file:'
        '--tls-insecure[wss\://\: check neither certificates nor host names, on the WebSocket or the DTLS fast channel (tests only).]'
        '--timeout[Give up after this long, exit 124 (default\: 10s for members, join and leave; no limit for watch).]:duration:'
        '--log-level[The least severe level logged to stderr (default\: info for serve, notice for the others).]:log-level:{__rtctl_complete "${___log_level[@]}"}'
        '(--quiet -q)'{--quiet,-q}'[Log errors only (same as --log-level error).]'
        '--log-format[How log lines on stderr look\: text, or one JSON object per line.]:log-format:{__rtctl_complete "${___log_format[@]}"}'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_rtctl_groups_join() {
    local -i ret=1
    local -ar ___payload_format=('auto' 'text' 'base64' 'hex' 'rtdata' 'json')
    local -ar ___log_level=('trace' 'debug' 'info' 'notice' 'warning' 'error')
    local -ar ___log_format=('text' 'json')
    local -ar arg_specs=(
        ':group:'
        ':endpoint:'
        '--endpoint[The server'\''s endpoint, instead of the positional argument.]:endpoint:'
        '--player-session-id[The player session id to log in with (default\: $RTCTL_PLAYER_SESSION_ID, else a generated one).]:id:'
        '--connect-payload[The login'\''s connection payload, as UTF-8 text.]:text:'
        '--connect-payload-base64[The login'\''s connection payload, as base64.]:base64:'
        '--no-udp[Keep every message on the WebSocket (no UDP association).]'
        '--payload-format[How payloads are printed\: auto (UTF-8 text as "payload", else "payloadBase64"), text, base64 ("payloadBase64"), hex ("payloadHex"), rtdata ("data"\: GameSparks RTData as JSON), json ("payloadJSON"\: the payload parsed as JSON). A payload the chosen form cannot show is printed as in auto.]:payload-format:{__rtctl_complete "${___payload_format[@]}"}'
        '--connect-timeout[How long connecting and logging in may take.]:duration:'
        '--tls-ca[wss\://\: trust the CA certificates in this PEM file instead of the system'\''s (e.g. rtctl cert'\''s ca.pem).]:file:'
        '--tls-insecure[wss\://\: check neither certificates nor host names, on the WebSocket or the DTLS fast channel (tests only).]'
        '--timeout[Give up after this long, exit 124 (default\: 10s for members, join and leave; no limit for watch).]:duration:'
        '--log-level[The least severe level logged to stderr (default\: info for serve, notice for the others).]:log-level:{__rtctl_complete "${___log_level[@]}"}'
        '(--quiet -q)'{--quiet,-q}'[Log errors only (same as --log-level error).]'
        '--log-format[How log lines on stderr look\: text, or one JSON object per line.]:log-format:{__rtctl_complete "${___log_format[@]}"}'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_rtctl_groups_leave() {
    local -i ret=1
    local -ar ___payload_format=('auto' 'text' 'base64' 'hex' 'rtdata' 'json')
    local -ar ___log_level=('trace' 'debug' 'info' 'notice' 'warning' 'error')
    local -ar ___log_format=('text' 'json')
    local -ar arg_specs=(
        ':group:'
        ':endpoint:'
        '--endpoint[The server'\''s endpoint, instead of the positional argument.]:endpoint:'
        '--player-session-id[The player session id to log in with (default\: $RTCTL_PLAYER_SESSION_ID, else a generated one).]:id:'
        '--connect-payload[The login'\''s connection payload, as UTF-8 text.]:text:'
        '--connect-payload-base64[The login'\''s connection payload, as base64.]:base64:'
        '--no-udp[Keep every message on the WebSocket (no UDP association).]'
        '--payload-format[How payloads are printed\: auto (UTF-8 text as "payload", else "payloadBase64"), text, base64 ("payloadBase64"), hex ("payloadHex"), rtdata ("data"\: GameSparks RTData as JSON), json ("payloadJSON"\: the payload parsed as JSON). A payload the chosen form cannot show is printed as in auto.]:payload-format:{__rtctl_complete "${___payload_format[@]}"}'
        '--connect-timeout[How long connecting and logging in may take.]:duration:'
        '--tls-ca[wss\://\: trust the CA certificates in this PEM file instead of the system'\''s (e.g. rtctl cert'\''s ca.pem).]:file:'
        '--tls-insecure[wss\://\: check neither certificates nor host names, on the WebSocket or the DTLS fast channel (tests only).]'
        '--timeout[Give up after this long, exit 124 (default\: 10s for members, join and leave; no limit for watch).]:duration:'
        '--log-level[The least severe level logged to stderr (default\: info for serve, notice for the others).]:log-level:{__rtctl_complete "${___log_level[@]}"}'
        '(--quiet -q)'{--quiet,-q}'[Log errors only (same as --log-level error).]'
        '--log-format[How log lines on stderr look\: text, or one JSON object per line.]:log-format:{__rtctl_complete "${___log_format[@]}"}'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_rtctl_groups_watch() {
    local -i ret=1
    local -ar ___payload_format=('auto' 'text' 'base64' 'hex' 'rtdata' 'json')
    local -ar ___log_level=('trace' 'debug' 'info' 'notice' 'warning' 'error')
    local -ar ___log_format=('text' 'json')
    local -ar arg_specs=(
        ':group:'
        ':endpoint:'
        '--endpoint[The server'\''s endpoint, instead of the positional argument.]:endpoint:'
        '--player-session-id[The player session id to log in with (default\: $RTCTL_PLAYER_SESSION_ID, else a generated one).]:id:'
        '--connect-payload[The login'\''s connection payload, as UTF-8 text.]:text:'
        '--connect-payload-base64[The login'\''s connection payload, as base64.]:base64:'
        '--no-udp[Keep every message on the WebSocket (no UDP association).]'
        '--payload-format[How payloads are printed\: auto (UTF-8 text as "payload", else "payloadBase64"), text, base64 ("payloadBase64"), hex ("payloadHex"), rtdata ("data"\: GameSparks RTData as JSON), json ("payloadJSON"\: the payload parsed as JSON). A payload the chosen form cannot show is printed as in auto.]:payload-format:{__rtctl_complete "${___payload_format[@]}"}'
        '--connect-timeout[How long connecting and logging in may take.]:duration:'
        '--tls-ca[wss\://\: trust the CA certificates in this PEM file instead of the system'\''s (e.g. rtctl cert'\''s ca.pem).]:file:'
        '--tls-insecure[wss\://\: check neither certificates nor host names, on the WebSocket or the DTLS fast channel (tests only).]'
        '--timeout[Give up after this long, exit 124 (default\: 10s for members, join and leave; no limit for watch).]:duration:'
        '--log-level[The least severe level logged to stderr (default\: info for serve, notice for the others).]:log-level:{__rtctl_complete "${___log_level[@]}"}'
        '(--quiet -q)'{--quiet,-q}'[Log errors only (same as --log-level error).]'
        '--log-format[How log lines on stderr look\: text, or one JSON object per line.]:log-format:{__rtctl_complete "${___log_format[@]}"}'
        '--interval[How often to ask for the members; 0\: only once.]:duration:'
        '--join[Join the group as well (needed for updates pushed by the server).]'
        '--count[Exit 0 after printing this many lines.]:n:'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_rtctl_bench() {
    local -i ret=1
    local -ar ___target=('group' 'player' 'server')
    local -ar ___log_level=('trace' 'debug' 'info' 'notice' 'warning' 'error')
    local -ar ___log_format=('text' 'json')
    local -ar arg_specs=(
        ':endpoint-argument:'
        '--endpoint[The server, as the positional argument.]:endpoint:'
        '--serve[Run a server in this process on a free port of 127.0.0.1 and bench it.]'
        '--tls[Secure mode\: wss and DTLS (wss\:// endpoints are secure without it).]'
        '--tls-ca[wss\://\: trust the CA certificates in this PEM file instead of the system'\''s (e.g. rtctl cert'\''s ca.pem).]:file:'
        '--tls-insecure[wss\://\: check neither certificates nor host names, on the WebSocket or the DTLS fast channel (tests only).]'
        '--clients[Clients connected at once, all in this process.]:clients:'
        '--connect-rate[New connections per second while connecting.]:N/s:'
        '--groups[Groups the clients are spread over (client i joins group i mod K + 1).]:K:'
        '--target[Whom each message goes to\: its sender'\''s group, the next client, or the server.]:target:{__rtctl_complete "${___target[@]}"}'
        '--rate[Messages per second, all clients together (k and M allowed; 0\: idle clients).]:msgs/s:'
        '--duration[How long to measure, after the warm-up (e.g. 10s, 500ms, 2m; default 10s, 3s per --find-max step).]:dur:'
        '--warmup[How long to send before measuring; left out of every figure.]:dur:'
        '--drain[How long receivers wait for the last messages before counting what is missing as lost (the wait ends as soon as everything expected has arrived).]:dur:'
        '--size[Payload bytes per message (at least 16\: two timestamps).]:bytes:'
        '--opcode[The op code of the bench'\''s messages; messages with another op code are not counted (several benches can share a server, each with its own).]:n:'
        '--fast[Send fast (UDP) messages (the default).]'
        '--reliable[Send reliable (WebSocket) messages; the clients open no UDP socket.]'
        '--threads[Event-loop threads for the clients (default\: one per core).]:threads:'
        '--no-progress[No progress line on stderr.]'
        '--json[Print the summary as one JSON object on stdout instead of the report.]'
        '--csv[Write the summary as CSV (header and row; appends to a file with the same header).]:file:'
        '--hgrm[Write the percentile spectra in HdrHistogram'\''s format (FILE and FILE-uncorrected).]:file:'
        '--plot[Draw latency by percentile, corrected and uncorrected, as an SVG image.]:file.svg:'
        '*--fail-if[Exit 99 when this holds, e.g. '\''p99>5ms'\'', '\''loss>0.1%'\'', '\''throughput<50000'\'' (repeatable).]:condition:'
        '--allow-disconnects[Exit 0 even when clients lost their connection or sends failed during the run.]'
        '--find-max[Search for the highest rate that meets --slo, from --rate up to --max-rate.]'
        '--slo[The conditions a --find-max step must meet, comma-separated (default '\''p99<=5ms,loss<=0.1%'\'').]:conditions:'
        '--max-rate[The highest rate --find-max tries (k and M allowed).]:msgs/s:'
        '--max-steal[A --find-max step that misses while the host'\''s steal time is over this share of the CPU is measured again, up to 4 times (default 5; 100\: never).]:percent:'
        '--log-level[The least severe level logged to stderr (default\: info for serve, notice for the others).]:log-level:{__rtctl_complete "${___log_level[@]}"}'
        '(--quiet -q)'{--quiet,-q}'[Log errors only (same as --log-level error).]'
        '--log-format[How log lines on stderr look\: text, or one JSON object per line.]:log-format:{__rtctl_complete "${___log_format[@]}"}'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_rtctl_replay() {
    local -i ret=1
    local -ar ___log_level=('trace' 'debug' 'info' 'notice' 'warning' 'error')
    local -ar ___log_format=('text' 'json')
    local -ar arg_specs=(
        ':file:'
        ':endpoint:'
        '--endpoint[The server'\''s endpoint, instead of the positional argument.]:endpoint:'
        '--speed[Play this many times faster than recorded (0.5\: half speed).]:speed:'
        '--rate[Send at this many messages per second, evenly spaced.]:msgs/s:'
        '--topspeed[Send as fast as possible, in the recorded order.]'
        '--loop[Play the messages this many times; 0 repeats until interrupted or --duration.]:loop:'
        '--loop-delay[The pause between loops.]:duration:'
        '--max-gap[The longest pause kept between two recorded steps.]:duration:'
        '--limit[Send only the first N messages.]:limit:'
        '--duration[Stop sending after this long.]:duration:'
        '--dry-run[Print what would be sent and how long it would take; connect to nothing.]'
        '--verify[Compare what each client received with the recording; exit 1 on any difference.]'
        '--settle[How long to wait for messages still on their way, before a player leaves and at the end.]:duration:'
        '--no-udp[Keep every message on the WebSocket (no UDP association).]'
        '--connect-timeout[How long connecting and logging in may take.]:duration:'
        '--tls-ca[wss\://\: trust the CA certificates in this PEM file instead of the system'\''s (e.g. rtctl cert'\''s ca.pem).]:file:'
        '--tls-insecure[wss\://\: check neither certificates nor host names, on the WebSocket or the DTLS fast channel (tests only).]'
        '--log-level[The least severe level logged to stderr (default\: info for serve, notice for the others).]:log-level:{__rtctl_complete "${___log_level[@]}"}'
        '(--quiet -q)'{--quiet,-q}'[Log errors only (same as --log-level error).]'
        '--log-format[How log lines on stderr look\: text, or one JSON object per line.]:log-format:{__rtctl_complete "${___log_format[@]}"}'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_rtctl_cert() {
    local -i ret=1
    local -ar ___key_type=('ec' 'rsa')
    local -ar ___log_level=('trace' 'debug' 'info' 'notice' 'warning' 'error')
    local -ar ___log_format=('text' 'json')
    local -ar arg_specs=(
        '*:host:'
        '--out[The folder to write the files to.]:dir:'
        '--days[How many days the server certificate is valid.]:days:'
        '--key-type[The kind of keys.]:key-type:{__rtctl_complete "${___key_type[@]}"}'
        '--ca[Sign with this existing CA certificate (PEM) instead of a new CA.]:file:'
        '--ca-key[The private key of --ca (PEM).]:file:'
        '--force[Overwrite existing files.]'
        '--log-level[The least severe level logged to stderr (default\: info for serve, notice for the others).]:log-level:{__rtctl_complete "${___log_level[@]}"}'
        '(--quiet -q)'{--quiet,-q}'[Log errors only (same as --log-level error).]'
        '--log-format[How log lines on stderr look\: text, or one JSON object per line.]:log-format:{__rtctl_complete "${___log_format[@]}"}'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_rtctl_help() {
    local -i ret=1
    local -ar arg_specs=(
        '*:subcommands:'
        '--version[Show the version.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

if [[ "${funcstack[1]}" = _rtctl ]]; then
    _rtctl "${@}"
else
    compdef _rtctl rtctl
fi
