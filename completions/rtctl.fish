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
            __rtctl_parse_subcommand 0 'host=' 'port=' 'udp-port=' 'max-players=' 'ping-interval=' 'game-session-id=' 'reserve=+' 'player-sessions=' 'announce-membership' 'announce-players' 'udp-any-source' 'record=' 'script=' 'node=' 'script-arg=+' 'hook-timeout=' 'health-interval=' 'shutdown-grace=' 'log-level=' 'q/quiet' 'log-format=' 'version' 'h/help'
        case 'bench'
            __rtctl_parse_subcommand 1 'endpoint=' 'serve' 'clients=' 'connect-rate=' 'groups=' 'target=' 'rate=' 'duration=' 'warmup=' 'drain=' 'size=' 'fast' 'reliable' 'threads=' 'no-progress' 'json' 'csv=' 'hgrm=' 'plot=' 'fail-if=+' 'log-level=' 'q/quiet' 'log-format=' 'version' 'h/help'
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
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_positional "rtctl" -eq 1' -fa 'bench' -d 'Load-test a Realtime server with many clients and report latency, loss and throughput.'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_positional "rtctl" -eq 1' -fa 'help' -d 'Show subcommand help information.'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl serve" host' -l 'host' -d 'The address to listen on (IPv4 or IPv6, e.g. 127.0.0.1 or ::).' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl serve" port' -l 'port' -d 'The WebSocket (TCP) port; 0 picks a free port.' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl serve" udp-port' -l 'udp-port' -d 'The UDP port (default: the TCP port\'s number; 0 picks a free port).' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl serve" max-players' -l 'max-players' -d 'The most players connected at once (default: 32, or the script\'s configuration.maxPlayers).' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl serve" ping-interval' -l 'ping-interval' -d 'Milliseconds between WebSocket pings; a connection silent for three intervals is closed (default: 3000, or the script\'s configuration.pingIntervalTime).' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl serve" game-session-id' -l 'game-session-id' -d 'The game session id (default: a generated one).' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl serve"' -l 'reserve' -d 'Reserve a player session id; only reserved ids may log in (repeatable).' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl serve" player-sessions' -l 'player-sessions' -d 'A file of player session ids to reserve, one per line; blank lines and # comments are ignored.' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl serve" announce-membership' -l 'announce-membership' -d 'Send group membership updates to a group\'s members whenever the group changes.'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl serve" announce-players' -l 'announce-players' -d 'Tell every player when a player connects or disconnects (op codes -101 and -103).'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl serve" udp-any-source' -l 'udp-any-source' -d 'Accept a peer\'s UDP association from any source address (behind a WebSocket proxy).'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl serve" record' -l 'record' -d 'Record every event of the session to this file (JSON lines; replay it with rtctl replay).' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl serve" script' -l 'script' -d 'A GameLift Realtime (exports.ssExports) or GameSparks Realtime (RTSession) script to run on Node.js.' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl serve" node' -l 'node' -d 'The Node.js executable (18 or newer) that runs the script.' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl serve"' -l 'script-arg' -d 'A launch argument for the script\'s onProcessStarted(args), as key=value (repeatable).' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl serve" hook-timeout' -l 'hook-timeout' -d 'Milliseconds a script callback may take; a callback that hangs ends the session (exit 1).' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl serve" health-interval' -l 'health-interval' -d 'Milliseconds between the script\'s onHealthCheck calls.' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl serve" shutdown-grace' -l 'shutdown-grace' -d 'Milliseconds onProcessTerminate may take at SIGINT or SIGTERM before the players are closed.' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl serve" log-level' -l 'log-level' -d 'The least severe level logged to stderr (default: info for serve, notice for the others).' -rfka 'trace debug info notice warning error'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl serve" q quiet' -l 'quiet' -s 'q' -d 'Log errors only (same as --log-level error).'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl serve" log-format' -l 'log-format' -d 'How log lines on stderr look: text, or one JSON object per line.' -rfka 'text json'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl serve" version' -l 'version' -d 'Show the version.'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl serve" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl bench" endpoint' -l 'endpoint' -d 'The server, as the positional argument.' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl bench" serve' -l 'serve' -d 'Run a server in this process on a free port of 127.0.0.1 and bench it.'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl bench" clients' -l 'clients' -d 'Clients connected at once, all in this process.' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl bench" connect-rate' -l 'connect-rate' -d 'New connections per second while connecting.' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl bench" groups' -l 'groups' -d 'Groups the clients are spread over (client i joins group i mod K + 1).' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl bench" target' -l 'target' -d 'Whom each message goes to: its sender\'s group, the next client, or the server.' -rfka 'group player server'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl bench" rate' -l 'rate' -d 'Messages per second, all clients together (k and M allowed; 0: idle clients).' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl bench" duration' -l 'duration' -d 'How long to measure, after the warm-up (e.g. 10s, 500ms, 2m).' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl bench" warmup' -l 'warmup' -d 'How long to send before measuring; left out of every figure.' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl bench" drain' -l 'drain' -d 'How long receivers wait for the last messages before counting what is missing as lost.' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl bench" size' -l 'size' -d 'Payload bytes per message (at least 16: two timestamps).' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl bench" fast' -l 'fast' -d 'Send fast (UDP) messages (the default).'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl bench" reliable' -l 'reliable' -d 'Send reliable (WebSocket) messages; the clients open no UDP socket.'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl bench" threads' -l 'threads' -d 'Event-loop threads for the clients (default: one per core).' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl bench" no-progress' -l 'no-progress' -d 'No progress line on stderr.'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl bench" json' -l 'json' -d 'Print the summary as one JSON object on stdout instead of the report.'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl bench" csv' -l 'csv' -d 'Write the summary as CSV (header and row; appends to a file with the same header).' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl bench" hgrm' -l 'hgrm' -d 'Write the percentile spectra in HdrHistogram\'s format (FILE and FILE-uncorrected).' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl bench" plot' -l 'plot' -d 'Draw latency by percentile, corrected and uncorrected, as an SVG image.' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl bench"' -l 'fail-if' -d 'Exit 99 when this holds, e.g. \'p99>5ms\', \'loss>0.1%\', \'throughput<50000\' (repeatable).' -rfka ''
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl bench" log-level' -l 'log-level' -d 'The least severe level logged to stderr (default: info for serve, notice for the others).' -rfka 'trace debug info notice warning error'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl bench" q quiet' -l 'quiet' -s 'q' -d 'Log errors only (same as --log-level error).'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl bench" log-format' -l 'log-format' -d 'How log lines on stderr look: text, or one JSON object per line.' -rfka 'text json'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl bench" version' -l 'version' -d 'Show the version.'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl bench" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'rtctl' -n '__rtctl_should_offer_completions_for_flags_or_options "rtctl help" version' -l 'version' -d 'Show the version.'
