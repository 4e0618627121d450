import type { Child } from "hono/jsx";

const css = `
:root { --fg:#1c2430; --muted:#5f6b7a; --line:#e3e7ee; --bg:#f7f9fc; --ok:#137a3d; --bad:#b42318; --accent:#2f5bea; }
* { box-sizing: border-box; }
body { margin:0; font:15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color:var(--fg); background:var(--bg); }
header { background:#fff; border-bottom:1px solid var(--line); }
header .bar { max-width:1100px; margin:0 auto; padding:12px 20px; display:flex; gap:20px; align-items:center; }
header a.brand { font-weight:700; font-size:18px; color:var(--fg); text-decoration:none; }
header nav a { color:var(--muted); margin-right:14px; text-decoration:none; }
main { max-width:1100px; margin:0 auto; padding:20px; }
form.search { display:flex; gap:8px; flex:1; }
form.search input { flex:1; padding:8px 10px; border:1px solid var(--line); border-radius:6px; font:inherit; }
form.search button { padding:8px 14px; border:0; border-radius:6px; background:var(--accent); color:#fff; font:inherit; cursor:pointer; }
h1 { font-size:22px; margin:8px 0 16px; } h2 { font-size:17px; margin:24px 0 8px; }
.card { background:#fff; border:1px solid var(--line); border-radius:8px; padding:14px 16px; margin-bottom:16px; }
.grid { display:grid; grid-template-columns: 180px 1fr; gap:6px 16px; }
.grid dt { color:var(--muted); } .grid dd { margin:0; word-break:break-all; }
table { width:100%; border-collapse:collapse; background:#fff; border:1px solid var(--line); border-radius:8px; overflow:hidden; }
th, td { text-align:left; padding:8px 10px; border-bottom:1px solid var(--line); font-size:14px; vertical-align:top; }
th { background:#f0f3f8; color:var(--muted); font-weight:600; }
tr.failed td { background:#fff1f0; } tr.failed td.outcome { color:var(--bad); font-weight:600; }
td.outcome.ok { color:var(--ok); font-weight:600; }
.badge { display:inline-block; padding:2px 8px; border-radius:10px; font-size:12px; font-weight:600; background:#e8edf7; }
.badge.ACTIVE { background:#dcf5e5; color:var(--ok); } .badge.PAUSED { background:#fff4d6; color:#8a5a00; }
.badge.CANCELLED { background:#fde3e1; color:var(--bad); } .badge.COMPLETED { background:#e6e9ef; color:var(--muted); }
.badge.RAN { background:#dcf5e5; color:var(--ok); } .badge.PENDING { background:#e8edf7; color:var(--accent); }
.badge.SKIPPED { background:#fff4d6; color:#8a5a00; }
.badge.health.healthy { background:#dcf5e5; color:var(--ok); } .badge.health.retrying { background:#fff4d6; color:#8a5a00; }
.badge.health.failing, .badge.health.dead { background:#fde3e1; color:var(--bad); } .badge.health.unfunded { background:#ffe8d1; color:#9a4a00; }
.badge.health.paused { background:#fff4d6; color:#8a5a00; } .badge.health.ended { background:#e6e9ef; color:var(--muted); }
.badge.chain { background:#eef0ff; color:#3b3f99; font-weight:500; margin-left:6px; }
table.chains { margin-bottom:16px; } table.chains tr.selected td { background:#f0f3ff; }
.stats { display:flex; gap:12px; flex-wrap:wrap; } .stats .card { flex:1; min-width:150px; }
.stats .n { font-size:22px; font-weight:700; } .muted { color:var(--muted); }
.stats .card.lateness { flex:2; min-width:300px; } table.compact { border:0; } table.compact td { padding:2px 8px 2px 0; border:0; }
.small { font-size:12px; }
.error { background:#fff1f0; border-color:#f5c2bd; color:var(--bad); }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size:13px; }
a { color:var(--accent); }
`;

export function Layout(props: { title: string; children: Child; query?: string }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${props.title} · Autokeeper`}</title>
        <style>{css}</style>
      </head>
      <body>
        <header>
          <div class="bar">
            <a class="brand" href="/">
              Autokeeper
            </a>
            <nav>
              <a href="/">Latest</a>
              <a href="/docs">API</a>
              <a href="/graphql">GraphQL</a>
            </nav>
            <form class="search" action="/search" method="get">
              <input
                name="q"
                value={props.query ?? ""}
                placeholder="Workflow id, transaction hash or address"
                aria-label="Search"
              />
              <button type="submit">Search</button>
            </form>
          </div>
        </header>
        <main>{props.children}</main>
      </body>
    </html>
  );
}
