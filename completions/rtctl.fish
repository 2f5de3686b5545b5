function __rtctl_should_offer_completions_for_flags_or_options -a expected_commands
    set -l non_repeating_flags_or_options $argv[2..]
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __rtctl_parse_tokens
    test "$commands" = "$expected_commands"; and return $non_repeating_flags_or_options_absent
end

function __rtctl_should_offer_completions_for_positional -a expected_commands positional_index_comparison expected_positional_index
    set -l non_repeating_flags_or_options
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __rtctl_parse_tokens
    test "$commands" = "$expected_commands" -a \( "$positional_index" "$positional_index_comparison" "$expected_positional_index" \)
end

function __rtctl_parse_tokens -S
    set -l unparsed_tokens (__rtctl_tokens -pc)
    switch $unparsed_tokens[1]
    case 'rtctl'
        __rtctl_parse_subcommand 0 'version' 'h/help'
        switch $unparsed_tokens[1]
        case 'serve'
            __rtctl_parse_subcommand 0 'host=' 'port=' 'udp-port=' 'max-players=' 'ping-interval=' 'game-session-id=' 'reserve=+' 'player-sessions=' 'announce-membership' 'announce-players' 'udp-any-source' 'record=' 'threads=' 'session-loop=' 'flush-interval=' 'tls-cert=' 'tls-key=' 'tls-ca=' 'rate-limit=' 'burst=' 'rate-limit-kick=' 'login-timeout=' 'max-pending=' 'max-connections=' 'reconnect-grace=' 'max-lag=' 'udp-receive-buffer=' 'script=' 'node=' 'script-arg=+' 'hook-timeout=' 'health-interval=' 'shutdown-grace=' 'admin-port=' 'admin-host=' 'gamelift' 'gamelift-url=' 'gamelift-fleet-id=' 'gamelift-host-id=' 'gamelift-auth-token=' 'gamelift-process-id=' 'log-path=+' 'port-range=' 'agones' 'agones-sdk-port=' 'agones-port-name=' 'log-level=' 'q/quiet' 'log-format=' 'version' 'h/help'
        case 'connect'
            __rtctl_parse_subcommand 1 'endpoint=' 'player-session-id=' 'connect-payload=' 'connect-payload-base64=' 'no-udp' 'payload-format=' 'connect-timeout=' 'tls-ca=' 'tls-insecure' 'strict' 'log-level=' 'q/quiet' 'log-format=' 'version' 'h/help'
        case 'send'
            __rtctl_parse_subcommand 1 'endpoint=' 'player-session-id=' 'connect-payload=' 'connect-payload-base64=' 'no-udp' 'payload-format=' 'connect-timeout=' 'tls-ca=' 'tls-insecure' 'opcode=' 'payload=' 'payload-base64=' 'payload-hex=' 'payload-json=' 'data=' 'to=' 'group=' 'reliable' 'repeat=' 'interval=' 'wait-for=' 'timeout=' 'strict' 'log-level=' 'q/quiet' 'log-format=' 'version' 'h/help'
        case 'listen'
            __rtctl_parse_subcommand 1 'endpoint=' 'player-session-id=' 'connect-payload=' 'connect-payload-base64=' 'no-udp' 'payload-format=' 'connect-timeout=' 'tls-ca=' 'tls-insecure' 'join=+' 'count=' 'timeout=' 'idle=' 'opcode=+' 'format=' 'record=' 'log-level=' 'q/quiet' 'log-format=' 'version' 'h/help'
        case 'groups'
            __rtctl_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'members'
                __rtctl_parse_subcommand 2 'endpoint=' 'player-session-id=' 'connect-payload=' 'connect-payload-base64=' 'no-udp' 'payload-format=' 'connect-timeout=' 'tls-ca=' 'tls-insecure' 'timeout=' 'log-level=' 'q/quiet' 'log-format=' 'version' 'h/help'
            case 'join'
                __rtctl_parse_subcommand 2 'endpoint=' 'player-session-id=' 'connect-payload=' 'connect-payload-base64=' 'no-udp' 'payload-format=' 'connect-timeout=' 'tls-ca=' 'tls-insecure' 'timeout=' 'log-level=' 'q/quiet' 'log-format=' 'version' 'h/help'
            case 'leave'
                __rtctl_parse_subcommand 2 'endpoint=' 'player-session-id=' 'connect-payload=' 'connect-payload-base64=' 'no-udp' 'payload-format=' 'connect-timeout=' 'tls-ca=' 'tls-insecure' 'timeout=' 'log-level=' 'q/quiet' 'log-format=' 'version' 'h/help'
            case 'watch'
                __rtctl_parse_subcommand 2 'endpoint=' 'player-session-id=' 'connect-payload=' 'connect-payload-base64=' 'no-udp' 'payload-format=' 'connect-timeout=' 'tls-ca=' 'tls-insecure' 'timeout=' 'log-level=' 'q/quiet' 'log-format=' 'interval=' 'join' 'count=' 'version' 'h/help'
            end
        case 'bench'
            __rtctl_parse_subcommand 1 'endpoint=' 'serve' 'tls' 'tls-ca=' 'tls-insecure' 'clients=' 'connect-rate=' 'groups=' 'target=' 'rate=' 'duration=' 'warmup=' 'drain=' 'size=' 'opcode=' 'fast' 'reliable' 'threads=' 'no-progress' 'json' 'csv=' 'hgrm=' 'plot=' 'fail-if=+' 'allow-disconnects' 'find-max' 'slo=' 'max-rate=' 'max-steal=' 'log-level=' 'q/quiet' 'log-format=' 'version' 'h/help'
        case 'replay'
            __rtctl_parse_subcommand 2 'endpoint=' 'speed=' 'rate=' 'topspeed' 'loop=' 'loop-delay=' 'max-gap=' 'limit=' 'duration=' 'dry-run' 'verify' 'settle=' 'no-udp' 'connect-timeout=' 'tls-ca=' 'tls-insecure' 'log-level=' 'q/quiet' 'log-format=' 'version' 'h/help'
        case 'cert'
            __rtctl_parse_subcommand -r 1 'out=' 'days=' 'key-type=' 'ca=' 'ca-key=' 'force' 'log-level=' 'q/quiet' 'log-format=' 'version' 'h/help'
        case 'help'
            __rtctl_parse_subcommand -r 1 'version'
        end
    end
end

function __rtctl_tokens
    if test (string split -m 1 -f 1 -- . "$FISH_VERSION") -gt 3
        commandline --tokens-raw $argv
    else
        commandline -o $argv
    end
end

function __rtctl_parse_subcommand -S -a positional_count
    argparse -s r -- $argv
    set -l option_specs $argv[2..]
    set -l is_repeating_positional $_flag_r
    set -el _flag_r
    set -a commands $unparsed_tokens[1]
    set positional_index 0
    while true
        set -e unparsed_tokens[1]
        argparse -sn "$commands" $option_specs -- $unparsed_tokens 2> /dev/null
        set unparsed_tokens $argv
        set positional_index (math $positional_index + 1)
        for non_repeating_flag_or_option in $non_repeating_flags_or_options
            if set -ql "_flag_$(string replace -a - _ -- $non_repeating_flag_or_option)"
                set non_repeating_flags_or_options_absent 1
                break
            end
        end
        test (count $unparsed_tokens) -eq 0 -o \( -z "$is_repeating_positional" -a "$positional_index" -gt "$positional_count" \) && break
    end
end

function __rtctl_complete_directories
    set -l token (commandline -t)
    string match -- '*/' $token
    set -l subdirs $token*/
    printf %s\n $subdirs
end

function __rtctl_custom_completion
    set -x SAP_SHELL fish
    set -x SAP_SHELL_VERSION $FISH_VERSION
    set -l tokens (__rtctl_tokens -p)
    if test -z "$(__rtctl_tokens -t)"
        set -l index (count (__rtctl_tokens -pc))
        set tokens $tokens[..$index] \'\' $tokens[(math $index + 1)..]
    end
    command $tokens[1] $argv $tokens
end

complete -c 'rtctl' -f
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl" version' -l 'version' -d 'Show the version.'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_positional "rtctl" -eq 1' -fa 'serve' -d 'Serve one Realtime game session (WebSocket + UDP) until SIGINT or SIGTERM.'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_positional "rtctl" -eq 1' -fa 'connect' -d 'Connect as one player: actions in, events out (an interactive prompt on a terminal).'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_positional "rtctl" -eq 1' -fa 'send' -d 'Connect, send one message (from flags) or the actions on standard input, flush and disconnect.'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_positional "rtctl" -eq 1' -fa 'listen' -d 'Connect as one player and print every event it receives, one JSON line each.'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_positional "rtctl" -eq 1' -fa 'groups' -d 'Group operations as one-shot commands: members, join, leave, watch.'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_positional "rtctl" -eq 1' -fa 'bench' -d 'Load-test a Realtime server with many clients and report latency, loss and throughput.'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_positional "rtctl" -eq 1' -fa 'replay' -d 'Replay a recording against a server, one client per recorded player, and verify what they get.'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_positional "rtctl" -eq 1' -fa 'cert' -d 'Write a CA and a server certificate for local testing of secure mode (PEM files).'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_positional "rtctl" -eq 1' -fa 'help' -d 'Show subcommand help information.'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl serve" host' -l 'host' -d 'The address to listen on (IPv4 or IPv6, e.g. 127.0.0.1 or ::).' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl serve" port' -l 'port' -d 'The WebSocket (TCP) port; 0 picks a free port (default: 1900; with --agones, the port the GameServer reports).' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl serve" udp-port' -l 'udp-port' -d 'The UDP port (default: the TCP port\'s number; 0 picks a free port).' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl serve" max-players' -l 'max-players' -d 'The most players connected at once (default: 32, or the script\'s configuration.maxPlayers).' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl serve" ping-interval' -l 'ping-interval' -d 'Milliseconds between WebSocket pings; a connection silent for three intervals is closed (default: 3000, or the script\'s configuration.pingIntervalTime).' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl serve" game-session-id' -l 'game-session-id' -d 'The game session id (default: a generated one).' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl serve"' -l 'reserve' -d 'Reserve a player session id; only reserved ids may log in (repeatable).' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl serve" player-sessions' -l 'player-sessions' -d 'A file of player session ids to reserve, one per line; blank lines and # comments are ignored.' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl serve" announce-membership' -l 'announce-membership' -d 'Send group membership updates to a group\'s members whenever the group changes.'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl serve" announce-players' -l 'announce-players' -d 'Tell every player when a player connects or disconnects (op codes -101 and -103).'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl serve" udp-any-source' -l 'udp-any-source' -d 'Accept a peer\'s UDP association from any source address (behind a WebSocket proxy). Risk: anyone who knows a peer id can then race its first -5 or take its fast channel after 5 s of silence (until the player sends again); use secure mode where that matters.'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl serve" record' -l 'record' -d 'Record every event of the session to this file (JSON lines; replay it with rtctl replay).' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl serve" threads' -l 'threads' -d 'Event-loop threads for the WebSocket connections (default: one per core). The game session and its UDP socket live on the first of them, or on one more thread of their own (--session-loop). Beside other busy processes, fewer than the cores: busy threads that take turns on a core show in the p99.' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl serve" session-loop' -l 'session-loop' -d 'Where the game session runs: on a thread of its own, which no connection uses (own), or on the connections\' first thread (shared). auto: own with --script (a hook\'s answer is read sooner), shared without.' -rfka 'auto own shared'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl serve" flush-interval' -l 'flush-interval' -d 'Under load, reliable messages leave in batches at most this often (one write per connection per batch); a quiet server sends at once. Longer batches cost less CPU and add up to this much latency.' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl serve" tls-cert' -l 'tls-cert' -d 'Secure mode: the server\'s certificate chain, PEM, leaf first (e.g. rtctl cert\'s server.pem).' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl serve" tls-key' -l 'tls-key' -d 'Secure mode: the private key of --tls-cert, unencrypted PEM.' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl serve" tls-ca' -l 'tls-ca' -d 'Secure mode: the CA certificate (PEM) clients get as caCert (default: the top of the --tls-cert chain).' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl serve" rate-limit' -l 'rate-limit' -d 'Messages per second each player may send, counted apart on the WebSocket and over UDP. Datagrams beyond it are dropped; WebSocket messages beyond it wait (the server stops reading the connection: the sender is slowed down, nothing is lost). Logged once per player every 10 s. 0 turns the limit off.' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl serve" burst' -l 'burst' -d 'How many messages may arrive at once above the rate (default: the rate).' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl serve" rate-limit-kick' -l 'rate-limit-kick' -d 'Disconnect (1008 "rate limit exceeded") a player that keeps sending more than twice its rate limit over UDP, or is held back on its WebSocket without a break, for this long; 0 never disconnects.' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl serve" login-timeout' -l 'login-timeout' -d 'Close a connection that has not logged in this long after connecting (1008 "login timeout").' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl serve" max-pending' -l 'max-pending' -d 'Connections that have not logged in, at most; a new one closes the oldest of them.' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl serve" max-connections' -l 'max-connections' -d 'TCP connections at once, at most; more are closed as soon as they are accepted (default: max players + max pending + 64, within the open-file limit; given, it is used as is).' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl serve" reconnect-grace' -l 'reconnect-grace' -d 'How long a player whose connection was lost (no close frame) keeps its slot, peer id and groups for a login with the same player session id; 0 removes it at once.' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl serve" max-lag' -l 'max-lag' -d 'Close (1008 "too slow") a player whose oldest unsent reliable message is older than this; 0 turns the check off.' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl serve" udp-receive-buffer' -l 'udp-receive-buffer' -d 'The receive buffer (SO_RCVBUF) of each UDP socket of the fast port: the shared one, and each bound player\'s own. How much the kernel holds while the server is busy; small keeps fast messages from arriving late (past it they are dropped); capped by net.core.rmem_max.' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl serve" script' -l 'script' -d 'A GameLift Realtime (exports.ssExports) or GameSparks Realtime (RTSession) script to run on Node.js.' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl serve" node' -l 'node' -d 'The Node.js executable (18 or newer) that runs the script.' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl serve"' -l 'script-arg' -d 'A launch argument for the script\'s onProcessStarted(args), as key=value (repeatable).' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl serve" hook-timeout' -l 'hook-timeout' -d 'Milliseconds a script callback may take; a callback that hangs ends the session (exit 1).' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl serve" health-interval' -l 'health-interval' -d 'Milliseconds between the script\'s onHealthCheck calls.' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl serve" shutdown-grace' -l 'shutdown-grace' -d 'Milliseconds onProcessTerminate may take at SIGINT or SIGTERM before the players are closed.' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl serve" admin-port' -l 'admin-port' -d 'Serve /healthz, /readyz, /metrics (Prometheus) and a live status page / on this TCP port (0: a free port).' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl serve" admin-host' -l 'admin-host' -d 'The address of the admin listener (it has no authentication).' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl serve" gamelift' -l 'gamelift' -d 'Run as a GameLift custom game server (server SDK 5 protocol; Anywhere or managed EC2).'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl serve" gamelift-url' -l 'gamelift-url' -d 'The GameLift SDK WebSocket URL (default: $GAMELIFT_SDK_WEBSOCKET_URL).' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl serve" gamelift-fleet-id' -l 'gamelift-fleet-id' -d 'The fleet id (default: $GAMELIFT_SDK_FLEET_ID).' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl serve" gamelift-host-id' -l 'gamelift-host-id' -d 'The compute (host) id (default: $GAMELIFT_SDK_HOST_ID).' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl serve" gamelift-auth-token' -l 'gamelift-auth-token' -d 'The auth token (default: $GAMELIFT_SDK_AUTH_TOKEN).' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl serve" gamelift-process-id' -l 'gamelift-process-id' -d 'The process id (default: $GAMELIFT_SDK_PROCESS_ID, else a generated one).' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl serve"' -l 'log-path' -d 'A file GameLift uploads when the process ends (repeatable).' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl serve" port-range' -l 'port-range' -d 'Take the first port of this range where TCP and UDP are free (several processes on one host).' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl serve" agones' -l 'agones' -d 'Run as an Agones game server (the SDK sidecar\'s REST API).'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl serve" agones-sdk-port' -l 'agones-sdk-port' -d 'The Agones SDK sidecar\'s HTTP port (default: $AGONES_SDK_HTTP_PORT, else 9358).' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl serve" agones-port-name' -l 'agones-port-name' -d 'The GameServer port to advertise (default: the first; <name>-udp for a TCPUDP port).' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl serve" log-level' -l 'log-level' -d 'The least severe level logged to stderr (default: info for serve, notice for the others).' -rfka 'trace debug info notice warning error'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl serve" q quiet' -l 'quiet' -s 'q' -d 'Log errors only (same as --log-level error).'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl serve" log-format' -l 'log-format' -d 'How log lines on stderr look: text, or one JSON object per line.' -rfka 'text json'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl serve" version' -l 'version' -d 'Show the version.'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl serve" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl connect" endpoint' -l 'endpoint' -d 'The server\'s endpoint, instead of the positional argument.' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl connect" player-session-id' -l 'player-session-id' -d 'The player session id to log in with (default: $RTCTL_PLAYER_SESSION_ID, else a generated one).' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl connect" connect-payload' -l 'connect-payload' -d 'The login\'s connection payload, as UTF-8 text.' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl connect" connect-payload-base64' -l 'connect-payload-base64' -d 'The login\'s connection payload, as base64.' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl connect" no-udp' -l 'no-udp' -d 'Keep every message on the WebSocket (no UDP association).'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl connect" payload-format' -l 'payload-format' -d 'How payloads are printed: auto (UTF-8 text as "payload", else "payloadBase64"), text, base64 ("payloadBase64"), hex ("payloadHex"), rtdata ("data": GameSparks RTData as JSON), json ("payloadJSON": the payload parsed as JSON). A payload the chosen form cannot show is printed as in auto.' -rfka 'auto text base64 hex rtdata json'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl connect" connect-timeout' -l 'connect-timeout' -d 'How long connecting and logging in may take.' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl connect" tls-ca' -l 'tls-ca' -d 'wss://: trust the CA certificates in this PEM file instead of the system\'s (e.g. rtctl cert\'s ca.pem).' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl connect" tls-insecure' -l 'tls-insecure' -d 'wss://: check neither certificates nor host names, on the WebSocket or the DTLS fast channel (tests only).'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl connect" strict' -l 'strict' -d 'A malformed input line ends the command (exit 65) instead of being skipped.'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl connect" log-level' -l 'log-level' -d 'The least severe level logged to stderr (default: info for serve, notice for the others).' -rfka 'trace debug info notice warning error'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl connect" q quiet' -l 'quiet' -s 'q' -d 'Log errors only (same as --log-level error).'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl connect" log-format' -l 'log-format' -d 'How log lines on stderr look: text, or one JSON object per line.' -rfka 'text json'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl connect" version' -l 'version' -d 'Show the version.'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl connect" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl send" endpoint' -l 'endpoint' -d 'The server\'s endpoint, instead of the positional argument.' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl send" player-session-id' -l 'player-session-id' -d 'The player session id to log in with (default: $RTCTL_PLAYER_SESSION_ID, else a generated one).' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl send" connect-payload' -l 'connect-payload' -d 'The login\'s connection payload, as UTF-8 text.' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl send" connect-payload-base64' -l 'connect-payload-base64' -d 'The login\'s connection payload, as base64.' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl send" no-udp' -l 'no-udp' -d 'Keep every message on the WebSocket (no UDP association).'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl send" payload-format' -l 'payload-format' -d 'How payloads are printed: auto (UTF-8 text as "payload", else "payloadBase64"), text, base64 ("payloadBase64"), hex ("payloadHex"), rtdata ("data": GameSparks RTData as JSON), json ("payloadJSON": the payload parsed as JSON). A payload the chosen form cannot show is printed as in auto.' -rfka 'auto text base64 hex rtdata json'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl send" connect-timeout' -l 'connect-timeout' -d 'How long connecting and logging in may take.' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl send" tls-ca' -l 'tls-ca' -d 'wss://: trust the CA certificates in this PEM file instead of the system\'s (e.g. rtctl cert\'s ca.pem).' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl send" tls-insecure' -l 'tls-insecure' -d 'wss://: check neither certificates nor host names, on the WebSocket or the DTLS fast channel (tests only).'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl send" opcode' -l 'opcode' -d 'Send one message with this op code (from the flags below).' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl send" payload' -l 'payload' -d 'The message\'s payload as UTF-8 text.' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl send" payload-base64' -l 'payload-base64' -d 'The payload as base64.' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl send" payload-hex' -l 'payload-hex' -d 'The payload as hexadecimal digits.' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl send" payload-json' -l 'payload-json' -d 'The payload as a JSON value, sent as its compact text.' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl send" data' -l 'data' -d 'The payload as RTData, e.g. \'{"1":7,"2":"text"}\'.' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl send" to' -l 'to' -d 'Send to this player (-1: the server script).' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl send" group' -l 'group' -d 'Send to this group (-1: every player).' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl send" reliable' -l 'reliable' -d 'Send on the reliable channel (the WebSocket).'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl send" repeat' -l 'repeat' -d 'Send the message this many times.' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl send" interval' -l 'interval' -d 'How long to wait between repeats.' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl send" wait-for' -l 'wait-for' -d 'Wait for one message with this op code and print it.' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl send" timeout' -l 'timeout' -d 'Give up after this long in all (exit 124).' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl send" strict' -l 'strict' -d 'A malformed input line ends the command (exit 65) instead of being skipped.'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl send" log-level' -l 'log-level' -d 'The least severe level logged to stderr (default: info for serve, notice for the others).' -rfka 'trace debug info notice warning error'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl send" q quiet' -l 'quiet' -s 'q' -d 'Log errors only (same as --log-level error).'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl send" log-format' -l 'log-format' -d 'How log lines on stderr look: text, or one JSON object per line.' -rfka 'text json'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl send" version' -l 'version' -d 'Show the version.'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl send" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl listen" endpoint' -l 'endpoint' -d 'The server\'s endpoint, instead of the positional argument.' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl listen" player-session-id' -l 'player-session-id' -d 'The player session id to log in with (default: $RTCTL_PLAYER_SESSION_ID, else a generated one).' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl listen" connect-payload' -l 'connect-payload' -d 'The login\'s connection payload, as UTF-8 text.' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl listen" connect-payload-base64' -l 'connect-payload-base64' -d 'The login\'s connection payload, as base64.' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl listen" no-udp' -l 'no-udp' -d 'Keep every message on the WebSocket (no UDP association).'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl listen" payload-format' -l 'payload-format' -d 'How payloads are printed: auto (UTF-8 text as "payload", else "payloadBase64"), text, base64 ("payloadBase64"), hex ("payloadHex"), rtdata ("data": GameSparks RTData as JSON), json ("payloadJSON": the payload parsed as JSON). A payload the chosen form cannot show is printed as in auto.' -rfka 'auto text base64 hex rtdata json'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl listen" connect-timeout' -l 'connect-timeout' -d 'How long connecting and logging in may take.' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl listen" tls-ca' -l 'tls-ca' -d 'wss://: trust the CA certificates in this PEM file instead of the system\'s (e.g. rtctl cert\'s ca.pem).' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl listen" tls-insecure' -l 'tls-insecure' -d 'wss://: check neither certificates nor host names, on the WebSocket or the DTLS fast channel (tests only).'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl listen"' -l 'join' -d 'A group to join before printing anything (repeatable).' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl listen" count' -l 'count' -d 'Exit 0 after this many messages.' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl listen" timeout' -l 'timeout' -d 'Give up after this long in all (exit 124).' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl listen" idle' -l 'idle' -d 'Stop after this long without a message.' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl listen"' -l 'opcode' -d 'Print only messages with this op code (repeatable).' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl listen" format' -l 'format' -d 'json (one JSON object per line) or text (short lines for people).' -rfka 'json text'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl listen" record' -l 'record' -d 'Also write what this client receives to a recording, for rtctl replay (every message, whatever --opcode).' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl listen" log-level' -l 'log-level' -d 'The least severe level logged to stderr (default: info for serve, notice for the others).' -rfka 'trace debug info notice warning error'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl listen" q quiet' -l 'quiet' -s 'q' -d 'Log errors only (same as --log-level error).'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl listen" log-format' -l 'log-format' -d 'How log lines on stderr look: text, or one JSON object per line.' -rfka 'text json'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl listen" version' -l 'version' -d 'Show the version.'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl listen" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl groups" version' -l 'version' -d 'Show the version.'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl groups" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_positional "rtctl groups" -eq 1' -fa 'members' -d 'Print a group\'s members (RequestGroupMembership).'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_positional "rtctl groups" -eq 1' -fa 'join' -d 'Join a group and report the server\'s answer.'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_positional "rtctl groups" -eq 1' -fa 'leave' -d 'Leave a group and report the server\'s answer.'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_positional "rtctl groups" -eq 1' -fa 'watch' -d 'Stream a group\'s membership: one line now, then one per change.'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl groups members" endpoint' -l 'endpoint' -d 'The server\'s endpoint, instead of the positional argument.' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl groups members" player-session-id' -l 'player-session-id' -d 'The player session id to log in with (default: $RTCTL_PLAYER_SESSION_ID, else a generated one).' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl groups members" connect-payload' -l 'connect-payload' -d 'The login\'s connection payload, as UTF-8 text.' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl groups members" connect-payload-base64' -l 'connect-payload-base64' -d 'The login\'s connection payload, as base64.' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl groups members" no-udp' -l 'no-udp' -d 'Keep every message on the WebSocket (no UDP association).'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl groups members" payload-format' -l 'payload-format' -d 'How payloads are printed: auto (UTF-8 text as "payload", else "payloadBase64"), text, base64 ("payloadBase64"), hex ("payloadHex"), rtdata ("data": GameSparks RTData as JSON), json ("payloadJSON": the payload parsed as JSON). A payload the chosen form cannot show is printed as in auto.' -rfka 'auto text base64 hex rtdata json'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl groups members" connect-timeout' -l 'connect-timeout' -d 'How long connecting and logging in may take.' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl groups members" tls-ca' -l 'tls-ca' -d 'wss://: trust the CA certificates in this PEM file instead of the system\'s (e.g. rtctl cert\'s ca.pem).' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl groups members" tls-insecure' -l 'tls-insecure' -d 'wss://: check neither certificates nor host names, on the WebSocket or the DTLS fast channel (tests only).'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl groups members" timeout' -l 'timeout' -d 'Give up after this long, exit 124 (default: 10s for members, join and leave; no limit for watch).' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl groups members" log-level' -l 'log-level' -d 'The least severe level logged to stderr (default: info for serve, notice for the others).' -rfka 'trace debug info notice warning error'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl groups members" q quiet' -l 'quiet' -s 'q' -d 'Log errors only (same as --log-level error).'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl groups members" log-format' -l 'log-format' -d 'How log lines on stderr look: text, or one JSON object per line.' -rfka 'text json'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl groups members" version' -l 'version' -d 'Show the version.'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl groups members" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl groups join" endpoint' -l 'endpoint' -d 'The server\'s endpoint, instead of the positional argument.' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl groups join" player-session-id' -l 'player-session-id' -d 'The player session id to log in with (default: $RTCTL_PLAYER_SESSION_ID, else a generated one).' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl groups join" connect-payload' -l 'connect-payload' -d 'The login\'s connection payload, as UTF-8 text.' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl groups join" connect-payload-base64' -l 'connect-payload-base64' -d 'The login\'s connection payload, as base64.' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl groups join" no-udp' -l 'no-udp' -d 'Keep every message on the WebSocket (no UDP association).'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl groups join" payload-format' -l 'payload-format' -d 'How payloads are printed: auto (UTF-8 text as "payload", else "payloadBase64"), text, base64 ("payloadBase64"), hex ("payloadHex"), rtdata ("data": GameSparks RTData as JSON), json ("payloadJSON": the payload parsed as JSON). A payload the chosen form cannot show is printed as in auto.' -rfka 'auto text base64 hex rtdata json'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl groups join" connect-timeout' -l 'connect-timeout' -d 'How long connecting and logging in may take.' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl groups join" tls-ca' -l 'tls-ca' -d 'wss://: trust the CA certificates in this PEM file instead of the system\'s (e.g. rtctl cert\'s ca.pem).' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl groups join" tls-insecure' -l 'tls-insecure' -d 'wss://: check neither certificates nor host names, on the WebSocket or the DTLS fast channel (tests only).'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl groups join" timeout' -l 'timeout' -d 'Give up after this long, exit 124 (default: 10s for members, join and leave; no limit for watch).' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl groups join" log-level' -l 'log-level' -d 'The least severe level logged to stderr (default: info for serve, notice for the others).' -rfka 'trace debug info notice warning error'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl groups join" q quiet' -l 'quiet' -s 'q' -d 'Log errors only (same as --log-level error).'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl groups join" log-format' -l 'log-format' -d 'How log lines on stderr look: text, or one JSON object per line.' -rfka 'text json'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl groups join" version' -l 'version' -d 'Show the version.'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl groups join" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl groups leave" endpoint' -l 'endpoint' -d 'The server\'s endpoint, instead of the positional argument.' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl groups leave" player-session-id' -l 'player-session-id' -d 'The player session id to log in with (default: $RTCTL_PLAYER_SESSION_ID, else a generated one).' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl groups leave" connect-payload' -l 'connect-payload' -d 'The login\'s connection payload, as UTF-8 text.' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl groups leave" connect-payload-base64' -l 'connect-payload-base64' -d 'The login\'s connection payload, as base64.' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl groups leave" no-udp' -l 'no-udp' -d 'Keep every message on the WebSocket (no UDP association).'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl groups leave" payload-format' -l 'payload-format' -d 'How payloads are printed: auto (UTF-8 text as "payload", else "payloadBase64"), text, base64 ("payloadBase64"), hex ("payloadHex"), rtdata ("data": GameSparks RTData as JSON), json ("payloadJSON": the payload parsed as JSON). A payload the chosen form cannot show is printed as in auto.' -rfka 'auto text base64 hex rtdata json'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl groups leave" connect-timeout' -l 'connect-timeout' -d 'How long connecting and logging in may take.' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl groups leave" tls-ca' -l 'tls-ca' -d 'wss://: trust the CA certificates in this PEM file instead of the system\'s (e.g. rtctl cert\'s ca.pem).' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl groups leave" tls-insecure' -l 'tls-insecure' -d 'wss://: check neither certificates nor host names, on the WebSocket or the DTLS fast channel (tests only).'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl groups leave" timeout' -l 'timeout' -d 'Give up after this long, exit 124 (default: 10s for members, join and leave; no limit for watch).' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl groups leave" log-level' -l 'log-level' -d 'The least severe level logged to stderr (default: info for serve, notice for the others).' -rfka 'trace debug info notice warning error'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl groups leave" q quiet' -l 'quiet' -s 'q' -d 'Log errors only (same as --log-level error).'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl groups leave" log-format' -l 'log-format' -d 'How log lines on stderr look: text, or one JSON object per line.' -rfka 'text json'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl groups leave" version' -l 'version' -d 'Show the version.'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl groups leave" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl groups watch" endpoint' -l 'endpoint' -d 'The server\'s endpoint, instead of the positional argument.' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl groups watch" player-session-id' -l 'player-session-id' -d 'The player session id to log in with (default: $RTCTL_PLAYER_SESSION_ID, else a generated one).' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl groups watch" connect-payload' -l 'connect-payload' -d 'The login\'s connection payload, as UTF-8 text.' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl groups watch" connect-payload-base64' -l 'connect-payload-base64' -d 'The login\'s connection payload, as base64.' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl groups watch" no-udp' -l 'no-udp' -d 'Keep every message on the WebSocket (no UDP association).'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl groups watch" payload-format' -l 'payload-format' -d 'How payloads are printed: auto (UTF-8 text as "payload", else "payloadBase64"), text, base64 ("payloadBase64"), hex ("payloadHex"), rtdata ("data": GameSparks RTData as JSON), json ("payloadJSON": the payload parsed as JSON). A payload the chosen form cannot show is printed as in auto.' -rfka 'auto text base64 hex rtdata json'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl groups watch" connect-timeout' -l 'connect-timeout' -d 'How long connecting and logging in may take.' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl groups watch" tls-ca' -l 'tls-ca' -d 'wss://: trust the CA certificates in this PEM file instead of the system\'s (e.g. rtctl cert\'s ca.pem).' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl groups watch" tls-insecure' -l 'tls-insecure' -d 'wss://: check neither certificates nor host names, on the WebSocket or the DTLS fast channel (tests only).'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl groups watch" timeout' -l 'timeout' -d 'Give up after this long, exit 124 (default: 10s for members, join and leave; no limit for watch).' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl groups watch" log-level' -l 'log-level' -d 'The least severe level logged to stderr (default: info for serve, notice for the others).' -rfka 'trace debug info notice warning error'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl groups watch" q quiet' -l 'quiet' -s 'q' -d 'Log errors only (same as --log-level error).'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl groups watch" log-format' -l 'log-format' -d 'How log lines on stderr look: text, or one JSON object per line.' -rfka 'text json'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl groups watch" interval' -l 'interval' -d 'How often to ask for the members; 0: only once.' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl groups watch" join' -l 'join' -d 'Join the group as well (needed for updates pushed by the server).'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl groups watch" count' -l 'count' -d 'Exit 0 after printing this many lines.' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl groups watch" version' -l 'version' -d 'Show the version.'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl groups watch" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl bench" endpoint' -l 'endpoint' -d 'The server, as the positional argument.' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl bench" serve' -l 'serve' -d 'Run a server in this process on a free port of 127.0.0.1 and bench it.'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl bench" tls' -l 'tls' -d 'Secure mode: wss and DTLS (wss:// endpoints are secure without it).'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl bench" tls-ca' -l 'tls-ca' -d 'wss://: trust the CA certificates in this PEM file instead of the system\'s (e.g. rtctl cert\'s ca.pem).' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl bench" tls-insecure' -l 'tls-insecure' -d 'wss://: check neither certificates nor host names, on the WebSocket or the DTLS fast channel (tests only).'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl bench" clients' -l 'clients' -d 'Clients connected at once, all in this process.' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl bench" connect-rate' -l 'connect-rate' -d 'New connections per second while connecting.' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl bench" groups' -l 'groups' -d 'Groups the clients are spread over (client i joins group i mod K + 1).' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl bench" target' -l 'target' -d 'Whom each message goes to: its sender\'s group, the next client, or the server.' -rfka 'group player server'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl bench" rate' -l 'rate' -d 'Messages per second, all clients together (k and M allowed; 0: idle clients).' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl bench" duration' -l 'duration' -d 'How long to measure, after the warm-up (e.g. 10s, 500ms, 2m; default 10s, 3s per --find-max step).' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl bench" warmup' -l 'warmup' -d 'How long to send before measuring; left out of every figure.' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl bench" drain' -l 'drain' -d 'How long receivers wait for the last messages before counting what is missing as lost (the wait ends as soon as everything expected has arrived).' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl bench" size' -l 'size' -d 'Payload bytes per message (at least 16: two timestamps).' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl bench" opcode' -l 'opcode' -d 'The op code of the bench\'s messages; messages with another op code are not counted (several benches can share a server, each with its own).' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl bench" fast' -l 'fast' -d 'Send fast (UDP) messages (the default).'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl bench" reliable' -l 'reliable' -d 'Send reliable (WebSocket) messages; the clients open no UDP socket.'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl bench" threads' -l 'threads' -d 'Event-loop threads for the clients (default: one per core).' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl bench" no-progress' -l 'no-progress' -d 'No progress line on stderr.'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl bench" json' -l 'json' -d 'Print the summary as one JSON object on stdout instead of the report.'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl bench" csv' -l 'csv' -d 'Write the summary as CSV (header and row; appends to a file with the same header).' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl bench" hgrm' -l 'hgrm' -d 'Write the percentile spectra in HdrHistogram\'s format (FILE and FILE-uncorrected).' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl bench" plot' -l 'plot' -d 'Draw latency by percentile, corrected and uncorrected, as an SVG image.' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl bench"' -l 'fail-if' -d 'Exit 99 when this holds, e.g. \'p99>5ms\', \'loss>0.1%\', \'throughput<50000\' (repeatable).' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl bench" allow-disconnects' -l 'allow-disconnects' -d 'Exit 0 even when clients lost their connection or sends failed during the run.'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl bench" find-max' -l 'find-max' -d 'Search for the highest rate that meets --slo, from --rate up to --max-rate.'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl bench" slo' -l 'slo' -d 'The conditions a --find-max step must meet, comma-separated (default \'p99<=5ms,loss<=0.1%\').' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl bench" max-rate' -l 'max-rate' -d 'The highest rate --find-max tries (k and M allowed).' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl bench" max-steal' -l 'max-steal' -d 'A --find-max step that misses while the host\'s steal time is over this share of the CPU is measured again, up to 4 times (default 5; 100: never).' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl bench" log-level' -l 'log-level' -d 'The least severe level logged to stderr (default: info for serve, notice for the others).' -rfka 'trace debug info notice warning error'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl bench" q quiet' -l 'quiet' -s 'q' -d 'Log errors only (same as --log-level error).'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl bench" log-format' -l 'log-format' -d 'How log lines on stderr look: text, or one JSON object per line.' -rfka 'text json'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl bench" version' -l 'version' -d 'Show the version.'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl bench" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl replay" endpoint' -l 'endpoint' -d 'The server\'s endpoint, instead of the positional argument.' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl replay" speed' -l 'speed' -d 'Play this many times faster than recorded (0.5: half speed).' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl replay" rate' -l 'rate' -d 'Send at this many messages per second, evenly spaced.' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl replay" topspeed' -l 'topspeed' -d 'Send as fast as possible, in the recorded order.'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl replay" loop' -l 'loop' -d 'Play the messages this many times; 0 repeats until interrupted or --duration.' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl replay" loop-delay' -l 'loop-delay' -d 'The pause between loops.' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl replay" max-gap' -l 'max-gap' -d 'The longest pause kept between two recorded steps.' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl replay" limit' -l 'limit' -d 'Send only the first N messages.' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl replay" duration' -l 'duration' -d 'Stop sending after this long.' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl replay" dry-run' -l 'dry-run' -d 'Print what would be sent and how long it would take; connect to nothing.'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl replay" verify' -l 'verify' -d 'Compare what each client received with the recording; exit 1 on any difference.'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl replay" settle' -l 'settle' -d 'How long to wait for messages still on their way, before a player leaves and at the end.' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl replay" no-udp' -l 'no-udp' -d 'Keep every message on the WebSocket (no UDP association).'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl replay" connect-timeout' -l 'connect-timeout' -d 'How long connecting and logging in may take.' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl replay" tls-ca' -l 'tls-ca' -d 'wss://: trust the CA certificates in this PEM file instead of the system\'s (e.g. rtctl cert\'s ca.pem).' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl replay" tls-insecure' -l 'tls-insecure' -d 'wss://: check neither certificates nor host names, on the WebSocket or the DTLS fast channel (tests only).'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl replay" log-level' -l 'log-level' -d 'The least severe level logged to stderr (default: info for serve, notice for the others).' -rfka 'trace debug info notice warning error'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl replay" q quiet' -l 'quiet' -s 'q' -d 'Log errors only (same as --log-level error).'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl replay" log-format' -l 'log-format' -d 'How log lines on stderr look: text, or one JSON object per line.' -rfka 'text json'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl replay" version' -l 'version' -d 'Show the version.'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl replay" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl cert" out' -l 'out' -d 'The folder to write the files to.' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl cert" days' -l 'days' -d 'How many days the server certificate is valid.' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl cert" key-type' -l 'key-type' -d 'The kind of keys.' -rfka 'ec rsa'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl cert" ca' -l 'ca' -d 'Sign with this existing CA certificate (PEM) instead of a new CA.' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl cert" ca-key' -l 'ca-key' -d 'The private key of --ca (PEM).' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl cert" force' -l 'force' -d 'Overwrite existing files.'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl cert" log-level' -l 'log-level' -d 'The least severe level logged to stderr (default: info for serve, notice for the others).' -rfka 'trace debug info notice warning error'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl cert" q quiet' -l 'quiet' -s 'q' -d 'Log errors only (same as --log-level error).'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl cert" log-format' -l 'log-format' -d 'How log lines on stderr look: text, or one JSON object per line.' -rfka 'text json'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl cert" version' -l 'version' -d 'Show the version.'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl cert" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl help" version' -l 'version' -d 'Show the version.'
