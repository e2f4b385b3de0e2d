/// The back office's one stylesheet, served at `/app/static/app.css`: a laptop layout and a phone layout (below
/// 40rem), visible focus, text and controls at WCAG AA contrast or better, no outside fonts or images.
enum AppStylesheet {
    static let path = "/app/static/app.css"

    static let css = """
        :root { --ink: #1a1a1a; --muted: #4a4a4a; --paper: #ffffff; --line: #c8c8c8; --accent: #0b4f9c; --accent-ink: #ffffff;
          --problem: #a40e26; --soft: #f3f5f8; --focus: #ffbf47; }
        * { box-sizing: border-box; }
        html { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; font-size: 100%; line-height: 1.5;
          color: var(--ink); background: var(--paper); }
        body { margin: 0; }
        a { color: var(--accent); }
        a:hover { text-decoration-thickness: 2px; }
        :focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; box-shadow: 0 0 0 5px var(--ink); }
        .skip { position: absolute; left: -999px; top: 0; background: var(--paper); padding: .5rem 1rem; }
        .skip:focus { left: 1rem; z-index: 2; }
        .bar { display: flex; flex-wrap: wrap; align-items: center; gap: .5rem 1.5rem; padding: .75rem 2rem;
          background: var(--accent); color: var(--accent-ink); }
        .bar a { color: var(--accent-ink); }
        .brand { font-weight: 700; font-size: 1.25rem; text-decoration: none; }
        .bar nav ul { display: flex; gap: 1rem; list-style: none; margin: 0; padding: 0; }
        .bar nav a[aria-current="page"] { text-decoration-thickness: 3px; }
        .signout { display: flex; align-items: center; gap: .75rem; margin-left: auto; }
        .who { font-size: .9rem; }
        main { max-width: 72rem; margin: 0 auto; padding: 1.5rem 2rem 3rem; }
        h1 { font-size: 1.75rem; margin: .5rem 0 1rem; }
        h2 { font-size: 1.3rem; margin: 2rem 0 .75rem; border-bottom: 1px solid var(--line); padding-bottom: .25rem; }
        h3 { font-size: 1rem; margin: 0 0 .25rem; }
        .card { background: var(--soft); border: 1px solid var(--line); border-radius: .5rem; padding: 1.5rem; }
        .narrow { max-width: 26rem; margin: 2rem auto; }
        label { display: block; font-weight: 600; margin: 1rem 0 .25rem; }
        input[type="email"], input[type="password"], input[type="text"] { width: 100%; padding: .6rem; font: inherit;
          color: var(--ink); background: var(--paper); border: 2px solid var(--muted); border-radius: .25rem; }
        button { font: inherit; font-weight: 600; padding: .55rem 1rem; border-radius: .25rem; cursor: pointer;
          color: var(--accent-ink); background: var(--accent); border: 2px solid var(--accent); white-space: nowrap; }
        form > button { margin-top: 1.25rem; }
        .bar button { background: var(--paper); color: var(--accent); border-color: var(--paper); padding: .3rem .75rem; }
        .actions { display: flex; flex-wrap: wrap; gap: .75rem; margin: 1rem 0; }
        .actions form > button { margin-top: 0; }
        .problem { color: var(--problem); font-weight: 600; }
        .scroll { overflow-x: auto; position: relative; }
        table { border-collapse: collapse; width: 100%; }
        caption { text-align: left; color: var(--muted); padding: .25rem 0; }
        th, td { text-align: left; padding: .5rem .75rem; border-bottom: 1px solid var(--line); vertical-align: top; }
        th { background: var(--soft); }
        td.number { text-align: right; font-variant-numeric: tabular-nums; }
        .state { display: inline-block; padding: 0 .4rem; border: 1px solid var(--muted); border-radius: .25rem; font-size: .9rem; }
        .state-failed { color: var(--problem); border-color: var(--problem); }
        .variants { list-style: none; padding: 0; display: grid; grid-template-columns: repeat(auto-fill, minmax(18rem, 1fr)); gap: 1rem; }
        .variants li { border: 1px solid var(--line); border-radius: .5rem; padding: 1rem; }
        .text { white-space: pre-wrap; overflow-wrap: anywhere; margin: .5rem 0 0; }
        .meta, .crumbs { color: var(--muted); font-size: .9rem; margin: 0; }
        code { font-family: ui-monospace, "SFMono-Regular", Menlo, monospace; background: var(--soft); padding: 0 .2rem; }
        .vh { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
        .count { display: inline-block; min-width: 1.4rem; padding: 0 .35rem; margin-left: .25rem; border-radius: .7rem; text-align: center;
          background: var(--paper); color: var(--accent); font-weight: 700; font-size: .85rem; }
        .cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(20rem, 1fr)); gap: 1rem; }
        .variant { border: 1px solid var(--line); border-radius: .5rem; padding: 1rem; min-width: 0; }
        .facts { display: grid; grid-template-columns: max-content 1fr; gap: .1rem .75rem; font-size: .9rem; margin: .75rem 0; }
        .facts dt { color: var(--muted); } .facts dd { margin: 0; min-width: 0; overflow-wrap: anywhere; }
        .prompt { white-space: pre-wrap; overflow-wrap: anywhere; margin: 0; font-size: .85rem; }
        .decisions { font-size: .9rem; padding-left: 1.2rem; }
        textarea { width: 100%; padding: .6rem; font: inherit; color: var(--ink); background: var(--paper); border: 2px solid var(--muted);
          border-radius: .25rem; }
        [aria-invalid="true"] { border-color: var(--problem); }
        button.secondary { background: var(--paper); color: var(--accent); }
        .decide .actions { margin: .5rem 0 0; }
        .state-pending { border-style: dashed; } .state-rejected { color: var(--problem); border-color: var(--problem); }
        .autopilot { list-style: none; padding: 0; } .autopilot li { border-bottom: 1px solid var(--line); padding: .5rem 0; }
        a.button { display: inline-block; font-weight: 600; padding: .55rem 1rem; border-radius: .25rem; color: var(--accent-ink);
          background: var(--accent); text-decoration: none; }
        fieldset { border: 1px solid var(--line); border-radius: .5rem; margin: 1rem 0; padding: .5rem 1rem 1rem; min-width: 0; }
        legend { font-weight: 700; padding: 0 .25rem; }
        .choices { display: flex; flex-wrap: wrap; gap: .25rem 1.25rem; }
        label.choice { display: inline-flex; align-items: center; gap: .4rem; font-weight: 400; margin: .5rem 0 0; }
        .problems { border: 2px solid var(--problem); border-radius: .5rem; padding: .5rem 1rem; margin: 1rem 0; }
        .problems h2 { border: 0; margin: .5rem 0; color: var(--problem); }
        @media (max-width: 40rem) {
          .bar { padding: .75rem 1rem; }
          .signout { margin-left: 0; width: 100%; justify-content: space-between; }
          main { padding: 1rem; }
          h1 { font-size: 1.4rem; }
          .narrow { margin: 1rem auto; }
          th, td { padding: .4rem; }
          .variants, .cards { grid-template-columns: minmax(0, 1fr); }
          .facts { grid-template-columns: minmax(0, 1fr); }
        }
        @media (prefers-reduced-motion: reduce) { * { transition: none !important; } }
        """
}
