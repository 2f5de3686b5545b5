import Foundation
import Testing

/// `rtctl listen`, `send`, `groups` and piped `connect` against a live `rtctl serve`, driven from bash and checked with
/// `jq`, as a user's script would use them.
@Suite("Client commands against rtctl serve")
struct ClientScenarioTests {
    /// Runs `script` against `server` (exported as `RTCTL_ENDPOINT`) and fails with the script's stderr.
    func scenario(_ script: String, server: TestServer, sourceLocation: SourceLocation = #_sourceLocation) async throws
    {
        let result = try await Shell.run(script, environment: ["RTCTL_ENDPOINT": server.endpoint])
        #expect(
            result.status == 0,
            "stderr:\n\(result.stderr)\nstdout:\n\(result.stdout)",
            sourceLocation: sourceLocation
        )
    }

    @Test("group fan-out and a direct message, into regular files and through a pipe")
    func fanOutAndDirect() async throws {
        let server = try await TestServer()
        try await scenario(
            #"""
            rtctl listen --join 2 --count 2 --timeout 30s > a.jsonl 2> a.err & A=$!
            rtctl listen --join 2 --count 1 --timeout 30s 2> b.err | { while read -r line; do echo "$line" >> b.jsonl; done; } & B=$!
            wait_for a.jsonl '.event == "connected"'
            wait_for b.jsonl '.event == "connected"'
            peer_a=$(jq -r 'select(.event == "connected") | .peerId' a.jsonl)

            rtctl send --opcode 10 --group 2 --reliable --payload "to the group"
            rtctl send --opcode 11 --to "$peer_a" --reliable --payload-json '{"x": 1}'
            wait $A || fail "listen a exited $?: $(cat a.err)"
            wait $B || fail "listen b exited $?: $(cat b.err)"

            check a.jsonl 'map(select(.event == "message")) | length == 2'
            check a.jsonl 'map(select(.event == "message"))[0] | .opCode == 10 and .targetGroup == 2 and .payload == "to the group" and .reliable'
            check a.jsonl "map(select(.event == \"message\"))[1] | .opCode == 11 and .targetPlayer == $peer_a and .payload == \"{\\\"x\\\":1}\""
            check a.jsonl '.[-1] | .event == "disconnected" and .reason == "closed by client"'
            check b.jsonl 'map(select(.event == "message")) | length == 1 and .[0].payload == "to the group"'
            check b.jsonl 'all(.[]; .time | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z$"))'
            """#,
            server: server
        )
        try await server.stop()
    }

    @Test("groups members, join, leave and watch report the server's answer")
    func membership() async throws {
        let server = try await TestServer()
        try await scenario(
            #"""
            rtctl listen --join 2 --join 5 > l.jsonl 2> l.err & L=$!
            wait_for l.jsonl '.event == "connected"'
            peer=$(jq -r 'select(.event == "connected") | .peerId' l.jsonl)

            rtctl groups members 2 > members.jsonl
            check members.jsonl "length == 1 and .[0].event == \"groupMembership\" and .[0].group == 2 and .[0].players == [$peer]"
            rtctl groups members -1 > all.jsonl
            check all.jsonl ".[0].group == -1 and (.[0].players | index($peer) != null) and (.[0].players | length == 2)"
            rtctl groups members 9 > empty.jsonl
            check empty.jsonl '.[0].players == []'
            rtctl groups join 5 > join.jsonl
            check join.jsonl "(.[0].players | length == 2) and (.[0].players | index($peer) != null)"
            rtctl groups leave 5 > leave.jsonl
            check leave.jsonl ".[0].players == [$peer]"

            # watch: the current members at once, then a line when a player joins.
            rtctl groups watch 2 --interval 100ms --count 2 --timeout 30s > watch.jsonl & W=$!
            wait_for watch.jsonl '.event == "groupMembership"'
            rtctl listen --join 2 > second.jsonl & S=$!
            wait $W || fail "groups watch exited $?"
            check watch.jsonl "length == 2 and .[0].players == [$peer] and (.[1].players | length == 2)"
            kill -TERM $S
            wait $S || fail "listen exited $? on SIGTERM"

            kill -INT $L
            wait $L || fail "listen exited $? on SIGINT"
            check l.jsonl '.[-1].event == "disconnected"'
            """#,
            server: server
        )
        try await server.stop()
    }

    @Test("--count, --timeout and --idle exit codes")
    func exitCodes() async throws {
        let server = try await TestServer()
        try await scenario(
            #"""
            expect_status 124 rtctl listen --timeout 300ms > timeout.jsonl 2> timeout.err
            check timeout.jsonl '.[0].event == "connected" and .[-1].event == "disconnected"'
            grep -q -- "--timeout" timeout.err || fail "no reason on stderr: $(cat timeout.err)"
            [ "$(wc -l < timeout.err)" -eq 1 ] || fail "more than one stderr line: $(cat timeout.err)"

            expect_status 0 rtctl listen --idle 300ms > idle.jsonl
            expect_status 124 rtctl listen --idle 300ms --count 1 > /dev/null 2>&1
            expect_status 124 rtctl send --opcode 10 --to -1 --wait-for 99 --timeout 300ms 2> /dev/null

            rtctl listen --join 3 --count 3 --opcode 7 --timeout 30s > count.jsonl & L=$!
            wait_for count.jsonl '.event == "connected"'
            rtctl send --opcode 8 --group 3 --reliable --payload skipped
            rtctl send --opcode 7 --group 3 --reliable --repeat 5 --payload counted
            wait $L || fail "listen --count exited $?"
            check count.jsonl 'map(select(.event == "message")) | length == 3 and all(.opCode == 7)'
            """#,
            server: server
        )
        try await server.stop()
    }

    @Test("send --wait-for prints one reply")
    func waitFor() async throws {
        let server = try await TestServer()
        try await scenario(
            #"""
            # The sender is a member of every player's group -1, so it receives its own message back.
            rtctl send --opcode 42 --group -1 --reliable --payload ping --wait-for 42 --timeout 20s > reply.jsonl
            check reply.jsonl 'length == 1 and .[0].event == "message" and .[0].opCode == 42 and .[0].payload == "ping"'
            """#,
            server: server
        )
        try await server.stop()
    }

    @Test("a refused login and a closed port exit 3; a server going away exits 4")
    func connectionFailures() async throws {
        let server = try await TestServer(["--reserve", "alice"])
        try await scenario(
            #"""
            expect_status 3 rtctl listen --player-session-id mallory > refused.jsonl 2> refused.err
            [ ! -s refused.jsonl ] || fail "stdout should be empty: $(cat refused.jsonl)"
            [ "$(wc -l < refused.err)" -eq 1 ] || fail "expected one stderr line: $(cat refused.err)"
            grep -q "refused" refused.err || fail "the reason should say refused: $(cat refused.err)"
            expect_status 3 env RTCTL_PLAYER_SESSION_ID=mallory rtctl send --opcode 1 2> /dev/null
            expect_status 3 rtctl groups members 2 127.0.0.1:1 2> /dev/null
            RTCTL_PLAYER_SESSION_ID=alice rtctl groups members -1 > alice.jsonl
            check alice.jsonl '.[0].players | length == 1'
            """#,
            server: server
        )
        try await server.stop()
        let gone = try await TestServer()
        let script = Task {
            try await Shell.run(
                #"""
                rtctl listen > gone.jsonl 2> gone.err & L=$!
                wait_for gone.jsonl '.event == "connected"'
                echo ready
                status=0
                wait $L || status=$?
                [ "$status" -eq 4 ] || fail "listen exited $status, expected 4: $(cat gone.err)"
                check gone.jsonl '.[-1] | .event == "disconnected" and .code == 1001 and (.reason | startswith("closed by server (1001"))'
                """#,
                environment: ["RTCTL_ENDPOINT": gone.endpoint]
            )
        }
        // The server goes away once the listener is connected: wait for a second player to appear in group -1.
        var connected = false
        for _ in 0..<400 where !connected {
            let answer = try await Subprocess.rtctl(["groups", "members", "-1", gone.endpoint])
            connected = answer.stdout.contains(#""players":["#) && answer.stdout.contains(",")
            if !connected { try await Task.sleep(for: .milliseconds(50)) }
        }
        #expect(connected, "the listener never connected")
        try await gone.stop()
        let result = try await script.value
        #expect(result.status == 0, "stderr:\n\(result.stderr)")
    }

    @Test("send < file.jsonl: malformed lines reported with their number and skipped; --strict exits 65")
    func sendFromFile() async throws {
        let server = try await TestServer()
        try await scenario(
            #"""
            rtctl listen --join 4 --count 4 --timeout 30s > got.jsonl & L=$!
            wait_for got.jsonl '.event == "connected"'
            cat > actions.jsonl <<'LINES'
            {"opCode":1,"targetGroup":4,"reliable":true,"payload":"one"}
            this is not json
            {"opCode":2,"targetGroup":4,"reliable":true,"payloadBase64":"/wAB"}

            {"opCode":3,"targetGroup":4,"reliable":true,"data":{"1":7,"2":"text","3":{"double":1.5}}}
            {"opCode":4,"targetGroup":4,"reliable":true,"payload":"four","colour":"red"}
            {"opCode":5,"targetGroup":4,"reliable":true,"payloadHex":"68690a"}
            LINES
            rtctl send < actions.jsonl 2> send.err
            wait $L || fail "listen exited $?"
            [ "$(wc -l < send.err)" -eq 2 ] || fail "expected two stderr lines: $(cat send.err)"
            grep -q "line 2: not valid JSON" send.err || fail "line 2 not reported: $(cat send.err)"
            grep -q 'line 6: field "colour"' send.err || fail "line 6 not reported: $(cat send.err)"
            check got.jsonl '[.[] | select(.event == "message") | .opCode] == [1, 2, 3, 5]'
            check got.jsonl 'map(select(.event == "message"))[1].payloadBase64 == "/wAB"'
            check got.jsonl 'map(select(.event == "message"))[3].payload == "hi\n"'

            rtctl listen --join 4 --count 1 --timeout 30s --payload-format rtdata > rtdata.jsonl & L=$!
            wait_for rtdata.jsonl '.event == "connected"'
            sed -n 5p actions.jsonl | rtctl send
            wait $L
            check rtdata.jsonl 'map(select(.event == "message"))[0].data == {"1":7,"2":"text","3":{"double":1.5}}'

            expect_status 65 rtctl send --strict < actions.jsonl 2> strict.err
            grep -q "line 2" strict.err || fail "strict: $(cat strict.err)"
            """#,
            server: server
        )
        try await server.stop()
    }

    @Test("piped connect: every action is sent before stdin's end disconnects, and events stream out")
    func pipedConnect() async throws {
        let server = try await TestServer()
        try await scenario(
            #"""
            n=3000
            rtctl listen --join 6 --count $n --timeout 60s > got.jsonl & L=$!
            wait_for got.jsonl '.event == "connected"'
            # Group requests use the fast channel once it is ready, as the SDK's do: a join sent over the WebSocket
            # just before that and a membership request sent over UDP just after can be handled in either order.
            # The request follows 100 messages sent behind the join on the WebSocket.
            message() { sed 's/.*/{"opCode":9,"targetGroup":6,"reliable":true,"payload":"&"}/'; }
            {
                echo '{"action":"joinGroup","group":7}'
                seq 1 100 | message
                echo '{"action":"requestGroupMembership","group":7}'
                seq 101 $n | message
            } | rtctl connect > connect.jsonl
            wait $L || fail "listen exited $?"
            check got.jsonl "[.[] | select(.event == \"message\") | .payload | tonumber] == [range(1; $n + 1)]"
            check connect.jsonl '.[0].event == "connected" and .[-1].event == "disconnected" and .[-1].reason == "closed by client"'
            check connect.jsonl '.[0].peerId as $me | map(select(.event == "groupMembership"))[0] | .group == 7 and .players == [$me]'
            """#,
            server: server
        )
        try await server.stop()
    }
}
