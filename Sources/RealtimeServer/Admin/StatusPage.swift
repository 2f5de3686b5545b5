/// The live status page served at `/`: one self-contained HTML document that follows `/events` (server-sent
/// events, one status document a second) and shows players, groups, rates, health and the script's state.
enum StatusPage {
    static let html = #"""
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>rtctl serve — status</title>
        <style>
          :root { --bg: #f6f7f9; --card: #fff; --ink: #1d2330; --muted: #667085; --line: #e4e7ec;
                  --ok: #12805c; --bad: #c4320a; --warn: #b54708; }
          * { box-sizing: border-box; }
          body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif;
                 background: var(--bg); color: var(--ink); }
          header { padding: 18px 28px; background: #101828; color: #fff; display: flex;
                   align-items: baseline; gap: 18px; flex-wrap: wrap; }
          header h1 { font-size: 19px; margin: 0; font-weight: 600; }
          header .session { color: #d0d5dd; font-family: ui-monospace, monospace; }
          header .live { margin-left: auto; font-size: 13px; color: #d0d5dd; }
          header .live.on::before { content: "● "; color: #32d583; }
          header .live.off::before { content: "● "; color: #f97066; }
          main { padding: 22px 28px; display: grid; gap: 18px; }
          .badges { display: flex; gap: 10px; flex-wrap: wrap; }
          .badge { padding: 4px 12px; border-radius: 999px; font-size: 13px; font-weight: 600;
                   background: #eef4ff; color: #3538cd; }
          .badge.ok { background: #ecfdf3; color: var(--ok); }
          .badge.bad { background: #fef3f2; color: var(--bad); }
          .badge.warn { background: #fffaeb; color: var(--warn); }
          .tiles { display: grid; grid-template-columns: repeat(auto-fit, minmax(125px, 1fr)); gap: 12px; }
          .tile { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 12px 14px; }
          .tile .label { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
          .tile .value { font-size: 24px; font-weight: 650; font-variant-numeric: tabular-nums; }
          .panels { display: grid; grid-template-columns: repeat(auto-fit, minmax(320px, 1fr)); gap: 18px; }
          section { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 4px 0 8px; }
          section h2 { font-size: 14px; margin: 10px 16px; color: var(--muted); font-weight: 600; }
          table { width: 100%; border-collapse: collapse; font-variant-numeric: tabular-nums; }
          th, td { text-align: left; padding: 6px 16px; border-top: 1px solid var(--line); }
          th { font-size: 12px; color: var(--muted); font-weight: 600; }
          td.mono { font-family: ui-monospace, monospace; font-size: 13px; }
          .empty { color: var(--muted); padding: 6px 16px; }
          #problems { color: var(--bad); }
        </style>
        </head>
        <body>
        <header>
          <h1>rtctl serve</h1>
          <span class="session" id="session">…</span>
          <span class="live off" id="live">connecting</span>
        </header>
        <main>
          <div class="badges">
            <span class="badge" id="healthy">health …</span>
            <span class="badge" id="ready">readiness …</span>
            <span class="badge" id="script">script …</span>
            <span class="badge" id="gameSession">game session …</span>
            <span id="problems"></span>
          </div>
          <div class="tiles">
            <div class="tile"><div class="label">Players</div><div class="value" id="players">–</div></div>
            <div class="tile"><div class="label">Groups</div><div class="value" id="groups">–</div></div>
            <div class="tile"><div class="label">Messages in /s</div><div class="value" id="messagesIn">–</div></div>
            <div class="tile"><div class="label">Messages out /s</div><div class="value" id="messagesOut">–</div></div>
            <div class="tile"><div class="label">Bytes in /s</div><div class="value" id="bytesIn">–</div></div>
            <div class="tile"><div class="label">Bytes out /s</div><div class="value" id="bytesOut">–</div></div>
            <div class="tile"><div class="label">Uptime</div><div class="value" id="uptime">–</div></div>
          </div>
          <div class="panels">
            <section><h2>Players</h2>
              <table><thead><tr><th>Peer</th><th>Player session</th></tr></thead><tbody id="playerRows"></tbody></table>
              <div class="empty" id="noPlayers">No player connected.</div>
            </section>
            <section><h2>Groups</h2>
              <table><thead><tr><th>Group</th><th>Members</th></tr></thead><tbody id="groupRows"></tbody></table>
              <div class="empty" id="noGroups">No group has members.</div>
            </section>
          </div>
        </main>
        <script>
        "use strict";
        const $ = (id) => document.getElementById(id);
        const number = new Intl.NumberFormat("en", { maximumFractionDigits: 1 });
        function bytes(n) {
          const units = ["B", "KiB", "MiB", "GiB"];
          let i = 0;
          while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
          return number.format(n) + " " + units[i];
        }
        function duration(s) {
          s = Math.floor(s);
          const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60);
          return (h ? h + "h " : "") + (h || m ? m + "m " : "") + (s % 60) + "s";
        }
        function badge(id, text, kind) { const el = $(id); el.textContent = text; el.className = "badge " + kind; }
        function rows(tbody, items, cells) {
          tbody.replaceChildren(...items.map((item) => {
            const tr = document.createElement("tr");
            for (const [text, mono] of cells(item)) {
              const td = document.createElement("td");
              td.textContent = text;
              if (mono) td.className = "mono";
              tr.append(td);
            }
            return tr;
          }));
        }
        function show(s) {
          $("session").textContent = s.gameSessionId;
          const h = s.health;
          badge("healthy", h.healthy ? "healthy" : "unhealthy", h.healthy ? "ok" : "bad");
          badge("ready", h.ready ? "ready" : "not ready", h.ready ? "ok" : "warn");
          badge("script", "script: " + h.script, h.script === "failed" ? "bad" : h.script === "none" ? "" : "ok");
          badge("gameSession", "game session: " + h.gameSession, h.gameSession === "active" ? "ok" : "warn");
          $("problems").textContent = h.problems.join(", ");
          $("players").textContent = s.players.length + " / " + s.maxPlayers;
          $("groups").textContent = s.groups.length;
          $("messagesIn").textContent = number.format(s.rates.messagesIn);
          $("messagesOut").textContent = number.format(s.rates.messagesOut);
          $("bytesIn").textContent = bytes(s.rates.bytesIn);
          $("bytesOut").textContent = bytes(s.rates.bytesOut);
          $("uptime").textContent = duration(s.uptime);
          rows($("playerRows"), s.players, (p) => [[String(p.peerId), false], [p.playerSessionId, true]]);
          rows($("groupRows"), s.groups, (g) => [[String(g.group), false], [g.members.join(", "), false]]);
          $("noPlayers").hidden = s.players.length > 0;
          $("noGroups").hidden = s.groups.length > 0;
          document.title = "rtctl serve · " + s.players.length + " players · " + (h.ready ? "ready" : "not ready");
        }
        const events = new EventSource("events");
        events.addEventListener("status", (e) => {
          $("live").textContent = "live";
          $("live").className = "live on";
          show(JSON.parse(e.data));
        });
        events.onerror = () => { $("live").textContent = "reconnecting"; $("live").className = "live off"; };
        </script>
        </body>
        </html>
        """#
}
